"""Each example of the documented track-offers contract, whole document."""

import pytest

from tests import factories
from tests.documents import BASE, NOT_FOUND, single, track_offer_resource, usage_patch
from trackoffers.models import TrackOffer

pytestmark = pytest.mark.django_db


def test_it_lists_track_offers_as_documented(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.get("/api/v1/track-offers")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "data": [track_offer_resource(track_offer)],
        "meta": {
            "page": {
                "currentPage": 1,
                "from": 1,
                "lastPage": 1,
                "perPage": 20,
                "to": 1,
                "total": 1,
            }
        },
        "jsonapi": {"version": "1.0"},
        "links": {
            "first": f"{BASE}/track-offers?page[number]=1&page[size]=20",
            "last": f"{BASE}/track-offers?page[number]=1&page[size]=20",
        },
    }


def test_it_gets_one_track_offer_as_documented(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.get(f"/api/v1/track-offers/{track_offer.pk}")

    assert response.status_code == 200
    assert response.json() == single(track_offer_resource(track_offer))


def test_it_answers_an_unknown_id_with_the_documented_404(api):
    response = api.get("/api/v1/track-offers/999")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == NOT_FOUND


def test_it_creates_a_track_offer_as_documented(api):
    offer = factories.offer()
    track = factories.track(offer.product)

    response = api.post(
        "/api/v1/track-offers",
        {
            "data": {
                "type": "track-offers",
                "attributes": {"usage": {"copy_scan": False}},
                "relationships": {
                    "track": {"data": {"type": "tracks", "id": str(track.pk)}},
                    "offer": {"data": {"type": "offers", "id": str(offer.pk)}},
                },
            }
        },
    )

    created = TrackOffer.objects.get()
    assert response.status_code == 201
    assert response.json() == single(track_offer_resource(created))
    assert response["Location"] == f"{BASE}/track-offers/{created.pk}"
    assert (created.track, created.offer, created.copy_scan) == (track, offer, False)
    assert created.download is None


def test_it_answers_a_missing_track_with_the_documented_422(api):
    offer = factories.offer()

    response = api.post(
        "/api/v1/track-offers",
        {
            "data": {
                "type": "track-offers",
                "attributes": {"usage": {"copy_scan": False}},
                "relationships": {
                    "offer": {"data": {"type": "offers", "id": str(offer.pk)}}
                },
            }
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "jsonapi": {"version": "1.0"},
        "errors": [
            {
                "detail": "The track field is required.",
                "source": {"pointer": "/data/relationships/track"},
                "status": "422",
                "title": "Unprocessable Entity",
                "code": "required",
            }
        ],
    }
    assert not TrackOffer.objects.exists()


def test_it_answers_a_missing_offer_with_a_422_on_offer(api):
    track = factories.track()

    response = api.post(
        "/api/v1/track-offers",
        {
            "data": {
                "type": "track-offers",
                "relationships": {
                    "track": {"data": {"type": "tracks", "id": str(track.pk)}}
                },
            }
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "detail": "The offer field is required.",
            "source": {"pointer": "/data/relationships/offer"},
            "status": "422",
            "title": "Unprocessable Entity",
            "code": "required",
        }
    ]


def test_it_updates_a_track_offer_as_documented(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.patch(
        f"/api/v1/track-offers/{track_offer.pk}",
        usage_patch(track_offer.pk, copy_scan=True),
    )

    track_offer.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == single(track_offer_resource(track_offer))
    assert response.json()["data"]["attributes"]["usage"] == {"copy_scan": True}
    assert track_offer.copy_scan is True


def test_it_deletes_a_track_offer_with_an_empty_204(api):
    track_offer = factories.track_offer(copy_scan=False)

    response = api.delete(f"/api/v1/track-offers/{track_offer.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not TrackOffer.objects.exists()


def test_it_answers_delete_of_an_unknown_id_with_the_documented_404(api):
    response = api.delete("/api/v1/track-offers/999")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
