"""Counting rows for the admin's big lists (EstimatedCountPaginator)."""

import pytest
from django.db import connection

from tests import factories
from trackoffers.admin_support import EstimatedCountPaginator
from trackoffers.models import TrackOffer

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL keeps row estimates"
)


@pytest.fixture
def rows():
    offer = factories.offer()
    return [
        factories.track_offer(factories.track(offer.product), offer, copy_scan=False)
        for _ in range(6)
    ]


@pytest.fixture
def exact_up_to_3(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 3)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trackoffers_trackoffer")


def test_a_small_table_is_counted_exactly(rows, django_assert_num_queries):
    paginator = EstimatedCountPaginator(TrackOffer.objects.all(), 2)

    with django_assert_num_queries(1):
        assert paginator.count == 6

    assert paginator.estimated is False


def test_a_filtered_list_is_counted_exactly(rows, exact_up_to_3):
    paginator = EstimatedCountPaginator(TrackOffer.objects.filter(copy_scan=False), 2)

    assert paginator.count == 6
    assert paginator.estimated is False


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_sqlite_always_counts_exactly(rows, exact_up_to_3, django_assert_num_queries):
    paginator = EstimatedCountPaginator(TrackOffer.objects.all(), 2)

    with django_assert_num_queries(1):
        assert paginator.count == 6

    assert paginator.estimated is False


@on_postgresql
def test_a_big_unfiltered_table_is_estimated(
    rows, exact_up_to_3, django_assert_num_queries
):
    analyze()
    factories.track_offer(offer_=rows[0].offer)
    paginator = EstimatedCountPaginator(TrackOffer.objects.all(), 2)

    # a count capped at 4 rows, then the estimate
    with django_assert_num_queries(2):
        count = paginator.count

    # The estimate is the table's size when last analysed.
    assert count == 6
    assert paginator.estimated is True
    assert paginator.num_pages == 3


@on_postgresql
@pytest.mark.parametrize("estimate", [-1, 2])
def test_a_table_never_analysed_or_grown_since_is_counted(
    rows, exact_up_to_3, monkeypatch, estimate
):
    # -1: never analysed; 2: analysed when it was small. (ANALYZE writes its
    # statistics in place, outside the test's transaction, so the real
    # values depend on earlier tests.)
    monkeypatch.setattr(
        "trackoffers.admin_support.table_estimate", lambda queryset: estimate
    )
    paginator = EstimatedCountPaginator(TrackOffer.objects.all(), 2)

    assert paginator.count == 6
    assert paginator.estimated is False


@on_postgresql
def test_the_list_says_when_its_total_is_an_estimate(staff_client, rows, exact_up_to_3):
    analyze()

    response = staff_client.get("/admin/trackoffers/trackoffer/")
    filtered = staff_client.get("/admin/trackoffers/trackoffer/?copy_scan=opted_out")

    assert "About 6: an estimate" in response.content.decode()
    assert "estimated-count" not in filtered.content.decode()


def test_a_list_that_is_not_a_queryset_is_counted():
    assert EstimatedCountPaginator([1, 2, 3], 2).count == 3
