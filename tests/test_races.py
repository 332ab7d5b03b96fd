"""Concurrent requests against a real database connection per client."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from accounts import tokens
from tests import factories
from tests.documents import track_offer_body
from trackoffers.models import TrackOffer

CLIENTS = 8


def post_in_thread(secret: str, body: str) -> int:
    try:
        response = Client().post(
            "/api/v1/track-offers",
            data=body,
            content_type="application/vnd.api+json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        return response.status_code
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_racing_creates_of_one_pair_make_one_row_and_409s():
    writer = factories.user("racer", actions=("view", "add"))
    _, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    offer = factories.offer()
    track = factories.track(offer.product)
    body = json.dumps(track_offer_body(track, offer, usage={"copy_scan": False}))

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(post_in_thread, [secret] * CLIENTS, [body] * CLIENTS))

    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1)
    assert TrackOffer.objects.count() == 1
