"""GET /api/v1/tracks?filter[offer-id]=...&filter[copy-scan]=..."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.documents import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer_with_tracks():
    """An offer whose product has an opted-out, a re-scanned and a plain track."""
    offer = factories.offer()
    opted_out = factories.track(offer.product)
    rescanned = factories.track(offer.product)
    plain = factories.track(offer.product)
    factories.track_offer(opted_out, offer, copy_scan=False)
    factories.track_offer(rescanned, offer, copy_scan=True)
    other_offer = factories.offer(offer.product)
    factories.track_offer(plain, other_offer, copy_scan=False)
    factories.track()
    return offer, opted_out, rescanned, plain


def ids_of(response) -> list[int]:
    return [int(item["id"]) for item in response.json()["data"]]


def test_it_lists_the_opted_out_tracks_of_an_offer(api, offer_with_tracks):
    offer, opted_out, _, _ = offer_with_tracks

    response = api.get(
        f"/api/v1/tracks?filter[offer-id]={offer.pk}&filter[copy-scan]=false"
    )

    assert response.status_code == 200
    assert ids_of(response) == [opted_out.pk]


def test_it_lists_scanned_tracks_including_those_without_track_offer(
    api, offer_with_tracks
):
    offer, _, rescanned, plain = offer_with_tracks

    response = api.get(
        f"/api/v1/tracks?filter[offer-id]={offer.pk}&filter[copy-scan]=true"
    )

    assert ids_of(response) == [rescanned.pk, plain.pk]


def test_it_follows_an_offer_that_does_not_scan(api, offer_with_tracks):
    offer, opted_out, rescanned, plain = offer_with_tracks
    offer.copy_scan = False
    offer.save()

    scanned = api.get(
        f"/api/v1/tracks?filter[offer-id]={offer.pk}&filter[copy-scan]=true"
    )
    kept_out = api.get(
        f"/api/v1/tracks?filter[offer-id]={offer.pk}&filter[copy-scan]=false"
    )

    assert ids_of(scanned) == [rescanned.pk]
    assert ids_of(kept_out) == [opted_out.pk, plain.pk]


def test_it_lists_every_track_of_the_offers_products(api, offer_with_tracks):
    offer, opted_out, rescanned, plain = offer_with_tracks

    response = api.get(f"/api/v1/tracks?filter[offer-id]={offer.pk}")

    assert ids_of(response) == [opted_out.pk, rescanned.pk, plain.pk]


def test_it_answers_an_unknown_offer_with_an_empty_list(api, offer_with_tracks):
    response = api.get("/api/v1/tracks?filter[offer-id]=999&filter[copy-scan]=false")

    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize(
    "query", ["filter[copy-scan]=false", "filter[offer-id]=1,2&filter[copy-scan]=true"]
)
def test_it_needs_exactly_one_offer_for_copy_scan(api, query):
    response = api.get(f"/api/v1/tracks?{query}")

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "title": "Bad Request",
            "detail": (
                "filter[copy-scan] needs exactly one offer in filter[offer-id]: a "
                "track's copy scan depends on the offer."
            ),
            "source": {"parameter": "filter[copy-scan]"},
        }
    ]


def test_it_rejects_a_copy_scan_value_that_is_not_true_or_false(api):
    response = api.get("/api/v1/tracks?filter[offer-id]=1&filter[copy-scan]=no")

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"parameter": "filter[copy-scan]"}


@pytest.mark.parametrize("size", [1, 100])
def test_the_page_is_one_query_whatever_its_size(api, size):
    offer = factories.offer()
    for number in range(30):
        track = factories.track(offer.product)
        if number % 2:
            factories.track_offer(track, offer, copy_scan=False)

    with CaptureQueriesContext(connection) as captured:
        response = api.get(
            f"/api/v1/tracks?filter[offer-id]={offer.pk}&filter[copy-scan]=false"
            f"&page[size]={size}"
        )

    page_queries = [
        query["sql"]
        for query in captured.captured_queries
        if "tracks_track" in query["sql"]
    ]
    assert len(response.json()["data"]) == min(size, 15)
    # One COUNT for the total, one SELECT for the page.
    assert len(page_queries) == 2
    assert len(captured.captured_queries) == 3
