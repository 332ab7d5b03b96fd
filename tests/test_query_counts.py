"""Queries per request, pinned: no N+1 anywhere.

Every request costs one query to check the token, with its user and the
user's permissions. Transaction control statements are not counted.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.documents import track_offer_body, usage_patch
from tests.queries import copy_scan_update_statements
from trackoffers.models import CopyScanChange

pytestmark = pytest.mark.django_db

AUTH = 1


def count_queries(client, method: str, path: str, body=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.request(method, path, body)
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"]
        .upper()
        .startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK"))
    ]
    return len(statements), response


@pytest.fixture
def catalogue():
    offer = factories.offer()
    return [
        factories.track_offer(factories.track(offer.product), offer, copy_scan=False)
        for _ in range(30)
    ]


@pytest.mark.parametrize("size", [1, 20, 100])
@pytest.mark.parametrize("include", ["", "&include=track", "&include=track,offer"])
def test_a_track_offer_list_page_costs_the_same_at_any_size(
    api, catalogue, size, include
):
    queries, response = count_queries(
        api, "get", f"/api/v1/track-offers?page[size]={size}{include}"
    )

    assert response.status_code == 200
    assert len(response.json()["data"]) == min(size, 30)
    # count + page (joined to the included rows)
    assert queries == AUTH + 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products?page[size]=100",
        "/api/v1/tracks?page[size]=100&include=product",
        "/api/v1/offers?page[size]=100&include=product",
    ],
)
def test_other_lists_cost_two_queries(api, catalogue, path):
    queries, response = count_queries(api, "get", path)

    assert response.status_code == 200
    assert queries == AUTH + 2


def test_a_filtered_list_costs_two_queries(api, catalogue):
    offer_id = catalogue[0].offer_id

    queries, response = count_queries(
        api, "get", f"/api/v1/track-offers?filter[offer-id]={offer_id}&sort=-id"
    )

    assert len(response.json()["data"]) == 20
    assert queries == AUTH + 2


def test_getting_one_track_offer_costs_one_query(api, catalogue):
    queries, response = count_queries(
        api, "get", f"/api/v1/track-offers/{catalogue[0].pk}?include=track,offer"
    )

    assert response.status_code == 200
    assert queries == AUTH + 1


def test_patching_a_track_offer_costs_two_queries_on_postgresql_three_on_sqlite(
    api, catalogue
):
    track_offer = catalogue[0]

    queries, response = count_queries(
        api,
        "patch",
        f"/api/v1/track-offers/{track_offer.pk}",
        usage_patch(track_offer.pk, copy_scan=True),
    )

    assert response.status_code == 200
    assert CopyScanChange.objects.filter(
        track_offer_number=track_offer.pk, new_override=True
    ).exists()
    # select + update and history (one statement on PostgreSQL)
    assert queries == AUTH + 1 + copy_scan_update_statements()


def test_creating_a_track_offer_costs_four_queries(api, catalogue):
    offer = catalogue[0].offer
    track = factories.track(offer.product)

    queries, response = count_queries(
        api,
        "post",
        "/api/v1/track-offers",
        track_offer_body(track, offer, usage={"copy_scan": False}),
    )

    assert response.status_code == 201
    # track + offer + insert + history
    assert queries == AUTH + 4


def test_deleting_a_track_offer_costs_three_queries(api, catalogue):
    queries, response = count_queries(
        api, "delete", f"/api/v1/track-offers/{catalogue[0].pk}"
    )

    assert response.status_code == 204
    # select + history + delete
    assert queries == AUTH + 3


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/track-offers/{id}/track", 1),
        ("/api/v1/track-offers/{id}/relationships/offer", 1),
        ("/api/v1/offers/{offer}/track-offers?page[size]=100", 3),
        ("/api/v1/offers/{offer}/relationships/track-offers", 2),
    ],
)
def test_related_endpoints_cost_a_fixed_number_of_queries(
    api, catalogue, path, expected
):
    path = path.format(id=catalogue[0].pk, offer=catalogue[0].offer_id)

    queries, response = count_queries(api, "get", path)

    assert response.status_code == 200
    assert queries == AUTH + expected
