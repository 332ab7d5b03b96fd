"""/api/v1/tracks."""

import pytest

from tests import factories
from tests.documents import BASE
from tracks.models import Track

pytestmark = pytest.mark.django_db


def track_body(product, **attributes) -> dict:
    attributes.setdefault("title", "Neon Highway")
    attributes.setdefault("track-number", 1)
    return {
        "data": {
            "type": "tracks",
            "attributes": attributes,
            "relationships": {
                "product": {"data": {"type": "products", "id": str(product.pk)}}
            },
        }
    }


def test_it_creates_a_track_with_a_normalized_isrc(api):
    product = factories.product()

    response = api.post(
        "/api/v1/tracks",
        track_body(product, **{"isrc-code": "us-rc1-76-07839", "length": 215}),
    )

    track = Track.objects.get()
    assert response.status_code == 201
    assert track.isrc_code == "USRC17607839"
    assert response.json()["data"]["attributes"] | {
        "created-at": None,
        "updated-at": None,
    } == {
        "title": "Neon Highway",
        "isrc-code": "USRC17607839",
        "track-number": 1,
        "volume-number": 1,
        "artist": "",
        "length": 215,
        "created-at": None,
        "updated-at": None,
    }
    assert response.json()["data"]["relationships"]["product"]["data"] == {
        "type": "products",
        "id": str(product.pk),
    }


@pytest.mark.parametrize("isrc", ["USRC1760783", "US-RC1-76-0783X", "1SRC17607839"])
def test_it_rejects_an_invalid_isrc(api, isrc):
    product = factories.product()

    response = api.post("/api/v1/tracks", track_body(product, **{"isrc-code": isrc}))

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/isrc-code"
    }
    assert "is not an ISRC" in response.json()["errors"][0]["detail"]
    assert not Track.objects.exists()


@pytest.mark.parametrize("field", ["track-number", "volume-number"])
def test_it_rejects_positions_below_one(api, field):
    product = factories.product()

    response = api.post(
        "/api/v1/tracks",
        track_body(product, **{"isrc-code": "USRC17607839", field: 0}),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == {
        "pointer": f"/data/attributes/{field}"
    }


def test_it_requires_a_product(api):
    body = track_body(factories.product(), **{"isrc-code": "USRC17607839"})
    del body["data"]["relationships"]

    response = api.post("/api/v1/tracks", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "status": "422",
            "title": "Unprocessable Entity",
            "detail": "The product field is required.",
            "source": {"pointer": "/data/relationships/product"},
            "code": "required",
        }
    ]


def test_it_answers_a_duplicate_isrc_with_a_409(api):
    existing = factories.track(isrc_code="USRC17607839")

    response = api.post(
        "/api/v1/tracks",
        track_body(factories.product(), **{"isrc-code": "usrc17607839"}),
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        f"Track {existing.pk} already exists with this isrc-code."
    )


def test_it_answers_a_taken_position_with_a_409(api):
    existing = factories.track(track_number=3)

    response = api.post(
        "/api/v1/tracks",
        track_body(
            existing.product, **{"isrc-code": "USRC17607839", "track-number": 3}
        ),
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        f"Track {existing.pk} already exists with this product and volume-number "
        "and track-number."
    )


def test_it_filters_by_isrc_as_clients_write_it(api):
    wanted = factories.track(isrc_code="USRC17607839")
    factories.track()

    response = api.get("/api/v1/tracks?filter[isrc-code]=us-rc1-76-07839")

    assert [item["id"] for item in response.json()["data"]] == [str(wanted.pk)]


def test_it_filters_by_product(api):
    wanted = factories.track()
    factories.track()

    response = api.get(f"/api/v1/tracks?filter[product-id]={wanted.product_id}")

    assert [item["id"] for item in response.json()["data"]] == [str(wanted.pk)]


def test_it_includes_the_product(api):
    track = factories.track()

    response = api.get(f"/api/v1/tracks/{track.pk}?include=product")

    assert response.json()["included"][0]["type"] == "products"
    assert response.json()["included"][0]["id"] == str(track.product_id)


def test_it_serves_the_related_product(api):
    track = factories.track()

    response = api.get(f"/api/v1/tracks/{track.pk}/product")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(track.product_id)
    assert response.json()["links"] == {"self": f"{BASE}/tracks/{track.pk}/product"}


def test_it_lists_the_track_offers_of_a_track(api):
    track_offer = factories.track_offer(copy_scan=False)
    factories.track_offer()

    response = api.get(
        f"/api/v1/tracks/{track_offer.track_id}/track-offers?filter[copy-scan]=false"
    )

    assert [item["id"] for item in response.json()["data"]] == [str(track_offer.pk)]


def test_it_refuses_to_move_a_track_to_another_product(api):
    track = factories.track()
    other = factories.product()

    response = api.patch(
        f"/api/v1/tracks/{track.pk}",
        {
            "data": {
                "type": "tracks",
                "id": str(track.pk),
                "relationships": {
                    "product": {"data": {"type": "products", "id": str(other.pk)}}
                },
            }
        },
    )

    track.refresh_from_db()
    assert response.status_code == 403
    assert track.product_id != other.pk


def test_it_refuses_to_delete_a_track_with_track_offers(api):
    track_offer = factories.track_offer()

    response = api.delete(f"/api/v1/tracks/{track_offer.track_id}")

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        "This resource still has track offers: delete those first."
    )
    assert Track.objects.filter(pk=track_offer.track_id).exists()
