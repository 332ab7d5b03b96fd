"""Estimated totals on big tables and the constant-cost page[after] cursor."""

import pytest
from django.db import connection

from tests import factories
from tests.documents import BASE, errors_of
from tests.openapi import assert_conforms, operation_for

pytestmark = pytest.mark.django_db


def ids_of(response) -> list[int]:
    return [int(item["id"]) for item in response.json()["data"]]


@pytest.fixture
def rows():
    offer = factories.offer()
    return [
        factories.track_offer(factories.track(offer.product), offer) for _ in range(5)
    ]


def test_small_tables_get_an_exact_total(api, rows, settings):
    response = api.get("/api/v1/track-offers?page[size]=2")

    assert response.json()["meta"]["page"]["total"] == 5
    assert "totalEstimated" not in response.json()["meta"]["page"]


def test_a_big_unfiltered_table_gets_an_estimate_on_postgresql(api, rows, settings):
    settings.EXACT_COUNT_LIMIT = 3
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE trackoffers_trackoffer")

    response = api.get("/api/v1/track-offers?page[size]=2")

    page = response.json()["meta"]["page"]
    assert page["total"] == 5
    if connection.vendor == "postgresql":
        assert page["totalEstimated"] is True
    else:
        # SQLite has no statistics to estimate from: the count is exact.
        assert "totalEstimated" not in page


def test_a_filtered_list_is_always_counted_exactly(api, rows, settings):
    settings.EXACT_COUNT_LIMIT = 0

    response = api.get(f"/api/v1/track-offers?filter[offer-id]={rows[0].offer_id}")

    assert response.json()["meta"]["page"]["total"] == 5
    assert "totalEstimated" not in response.json()["meta"]["page"]


def test_page_after_walks_the_collection_in_id_order(api, rows):
    first = api.get("/api/v1/track-offers?page[after]=0&page[size]=2")
    second = api.get(f"/api/v1/track-offers?page[after]={rows[1].pk}&page[size]=2")
    last = api.get(f"/api/v1/track-offers?page[after]={rows[3].pk}&page[size]=2")

    assert ids_of(first) == [rows[0].pk, rows[1].pk]
    assert first.json()["meta"] == {"page": {"after": 0, "perPage": 2}}
    assert first.json()["links"] == {
        "first": f"{BASE}/track-offers?page[after]=0&page[size]=2",
        "next": f"{BASE}/track-offers?page[after]={rows[1].pk}&page[size]=2",
    }
    assert ids_of(second) == [rows[2].pk, rows[3].pk]
    assert ids_of(last) == [rows[4].pk]
    assert "next" not in last.json()["links"]


def test_page_after_keeps_filters(api, rows):
    factories.track_offer()

    response = api.get(
        f"/api/v1/track-offers?filter[offer-id]={rows[0].offer_id}&page[after]=0"
    )

    assert ids_of(response) == [row.pk for row in rows]


def test_page_after_costs_the_same_at_any_depth(api, rows, django_assert_num_queries):
    with django_assert_num_queries(2):
        api.get("/api/v1/track-offers?page[after]=0&page[size]=1")
    with django_assert_num_queries(2):
        api.get(f"/api/v1/track-offers?page[after]={rows[3].pk}&page[size]=1")


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("page[after]=-1", "page[after] must be a whole number of at least 0."),
        ("page[after]=x", "page[after] must be a whole number of at least 0."),
        (
            "page[after]=1&page[number]=2",
            "page[after] and page[number] cannot be combined.",
        ),
        (
            "page[after]=1&sort=-id",
            "page[after] walks the collection in id order: leave sort out.",
        ),
    ],
)
def test_page_after_rejects_bad_combinations(api, query, detail):
    response = api.get(f"/api/v1/track-offers?{query}")

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "title": "Bad Request",
            "detail": detail,
            "source": {"parameter": "page[after]"},
        }
    ]


def test_a_page_number_beyond_any_id_is_rejected(api):
    response = api.get("/api/v1/track-offers?page[number]=99999999999999999999")

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"parameter": "page[number]"}


def test_page_after_pages_conform_to_the_openapi_document(api, rows):
    # The document declared neither page[after] nor the page it answers.
    path = f"/api/v1/track-offers?page[after]={rows[0].pk}&page[size]=2"

    response = api.get(path)

    assert response.status_code == 200
    assert_conforms(response, "get", path)
    assert "page[after]" in {
        parameter["name"]
        for parameter in operation_for("get", "/api/v1/track-offers")["parameters"]
    }
