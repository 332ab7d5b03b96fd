"""Concurrent requests, each client on its own database connection."""

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from accounts import tokens
from tests import factories
from tests.documents import track_offer_body
from trackoffers.models import CopyScanChange, TrackOffer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret():
    writer = factories.user("racer", actions=("view", "add", "change"))
    return tokens.mint(writer, ttl=tokens.default_ttl())[1]


def run_together(requests: list[tuple[str, str, dict]], secret: str) -> list[int]:
    """Send the requests from as many threads, released at the same moment."""
    start = threading.Barrier(len(requests))

    def send(request: tuple[str, str, dict]) -> int:
        method, path, body = request
        try:
            start.wait()
            response = getattr(Client(), method)(
                path,
                data=json.dumps(body),
                content_type="application/vnd.api+json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def test_twenty_racing_creates_of_one_pair_make_one_row(secret):
    offer = factories.offer()
    track = factories.track(offer.product)
    body = track_offer_body(track, offer, usage={"copy_scan": False})

    statuses = run_together([("post", "/api/v1/track-offers", body)] * 20, secret)

    assert sorted(statuses) == [201] + [409] * 19
    assert TrackOffer.objects.count() == 1
    assert CopyScanChange.objects.count() == 1


def patch(track_offer: TrackOffer, usage: dict) -> tuple[str, str, dict]:
    return (
        "patch",
        f"/api/v1/track-offers/{track_offer.pk}",
        {
            "data": {
                "type": "track-offers",
                "id": str(track_offer.pk),
                "attributes": {"usage": usage},
            }
        },
    )


def test_concurrent_patches_of_different_flags_lose_nothing(secret):
    track_offer = factories.track_offer()
    flags = ["download", "on_demand_stream", "non_interactive_stream", "copy_scan"]

    statuses = run_together(
        [patch(track_offer, {flag: False}) for flag in flags], secret
    )

    track_offer.refresh_from_db()
    assert statuses == [200] * 4
    assert track_offer.usage == dict.fromkeys(flags, False)


def test_history_stays_a_complete_chain_under_concurrency(secret):
    track_offer = factories.track_offer()
    requests = [patch(track_offer, {"copy_scan": bool(n % 2)}) for n in range(12)]

    statuses = run_together(requests, secret)

    changes = list(CopyScanChange.objects.order_by("pk"))
    track_offer.refresh_from_db()
    assert statuses == [200] * 12
    for before, after in itertools.pairwise(changes):
        assert after.previous_override == before.new_override
    assert changes[-1].new_override == track_offer.copy_scan
