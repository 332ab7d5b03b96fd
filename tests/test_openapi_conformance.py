"""Real responses conform to the OpenAPI document the API serves."""

import json

import pytest
from django.test import Client

from tests import factories
from tests.documents import track_offer_body, usage_patch
from tests.openapi import assert_conforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def track_offer():
    return factories.track_offer(copy_scan=False, download=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?include=track,offer",
        "?fields[track-offers]=usage,track&filter[copy-scan]=false",
        "?page[number]=9",
        "?sort=-updated-at&page[size]=1",
    ],
)
def test_track_offer_lists_conform(api, track_offer, query):
    response = api.get(f"/api/v1/track-offers{query}")

    assert response.status_code == 200
    assert_conforms(response, "get", f"/api/v1/track-offers{query}")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/track-offers/{id}",
        "/api/v1/track-offers/{id}?include=track",
        "/api/v1/track-offers/{id}/track",
        "/api/v1/track-offers/{id}/offer?include=product",
        "/api/v1/track-offers/{id}/relationships/offer",
    ],
)
def test_a_track_offer_and_its_relationships_conform(api, track_offer, path):
    path = path.format(id=track_offer.pk)

    response = api.get(path)

    assert response.status_code == 200
    assert_conforms(response, "get", path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/{product}",
        "/api/v1/products/{product}/tracks",
        "/api/v1/products/{product}/relationships/offers",
        "/api/v1/tracks/{track}?include=product",
        "/api/v1/tracks/{track}/track-offers",
        "/api/v1/tracks/{track}/relationships/track-offers",
        "/api/v1/offers/{offer}/track-offers",
        "/api/v1/offers",
    ],
)
def test_other_resources_conform(api, track_offer, path):
    path = path.format(
        product=track_offer.offer.product_id,
        track=track_offer.track_id,
        offer=track_offer.offer_id,
    )

    response = api.get(path)

    assert response.status_code == 200
    assert_conforms(response, "get", path)


def test_create_update_and_delete_conform(api):
    offer = factories.offer()
    track = factories.track(offer.product)

    created = api.post(
        "/api/v1/track-offers",
        track_offer_body(track, offer, usage={"copy_scan": False}),
    )
    url = f"/api/v1/track-offers/{created.json()['data']['id']}"
    updated = api.patch(
        url,
        usage_patch(created.json()["data"]["id"], copy_scan=None, download=False),
    )
    deleted = api.delete(url)

    assert [created.status_code, updated.status_code, deleted.status_code] == [
        201,
        200,
        204,
    ]
    assert_conforms(created, "post", "/api/v1/track-offers")
    assert_conforms(updated, "patch", url)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/track-offers/999999", None, 404),
        ("get", "/api/v1/track-offers?filter[nope]=1", None, 400),
        ("post", "/api/v1/track-offers", {"data": {"type": "track-offers"}}, 422),
        ("post", "/api/v1/track-offers", {"data": {"type": "tracks"}}, 409),
        ("patch", "/api/v1/track-offers/999999", None, 404),
    ],
)
def test_errors_conform(api, method, path, body, status):
    response = api.request(method, path, body)

    assert response.status_code == status
    assert_conforms(response, method, path)


def test_an_unauthenticated_request_conforms(anonymous_api):
    response = anonymous_api.get("/api/v1/track-offers")

    assert response.status_code == 401
    assert_conforms(response, "get", "/api/v1/track-offers")


def test_a_forbidden_request_conforms(viewer_api, track_offer):
    response = viewer_api.delete(f"/api/v1/track-offers/{track_offer.pk}")

    assert response.status_code == 403
    assert_conforms(response, "delete", f"/api/v1/track-offers/{track_offer.pk}")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"grant_type": "password", "email": "writer@label.test"}, 422),
        (
            {
                "grant_type": "password",
                "email": "writer@label.test",
                "password": "correct horse",
            },
            200,
        ),
    ],
)
def test_token_responses_conform(writer, body, status):
    response = Client().post(
        "/oauth/token", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == status
    assert_conforms(response, "post", "/oauth/token")
