"""Single-resource reads compiled once per shape give what the ORM gives."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jsonapi import prepared
from jsonapi.views import ResourceViewSet
from tests import factories
from trackoffers.models import TrackOffer
from trackoffers.views import TrackOfferViewSet
from tracks.models import Track

pytestmark = pytest.mark.django_db

BASE = TrackOffer.objects.with_offer_usage()
QUERYSETS = {
    "plain": BASE,
    "track": BASE.select_related("track"),
    "track and offer": BASE.select_related("track", "offer"),
    "nested": BASE.select_related("track__product"),
}


@pytest.fixture(autouse=True)
def fresh_cache():
    prepared.shapes("default").clear()
    yield
    prepared.shapes("default").clear()


def state(instance) -> dict:
    """Every loaded value of a model, and of the related rows it holds."""
    values = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    cached = {
        name: state(related)
        for name, related in instance._state.fields_cache.items()
        if related is not None
    }
    return {"values": values, "related": cached}


@pytest.mark.parametrize("name", QUERYSETS)
def test_the_instance_is_the_one_the_orm_builds(name):
    row = factories.track_offer(copy_scan=False, download=True)
    queryset = QUERYSETS[name]

    with CaptureQueriesContext(connection) as orm_queries:
        expected = queryset.get(pk=row.pk)
    first = prepared.get("default", name, lambda: queryset, row.pk)
    with CaptureQueriesContext(connection) as prepared_queries:
        again = prepared.get("default", name, lambda: queryset, row.pk)

    assert state(first) == state(expected)
    assert state(again) == state(expected)
    assert again.offer_copy_scan == expected.offer_copy_scan
    assert again._saved_copy_scan is False
    # The very SQL the ORM runs, in one query.
    assert [q["sql"] for q in prepared_queries] == [q["sql"] for q in orm_queries]


def test_the_queryset_is_built_once_per_shape():
    first, second = factories.track_offer(), factories.track_offer()
    built = []

    def build():
        built.append(1)
        return BASE

    assert prepared.get("default", "shape", build, first.pk) == first
    assert prepared.get("default", "shape", build, second.pk) == second
    assert len(built) == 1


def test_a_missing_row_is_a_404():
    with pytest.raises(Http404):
        prepared.get("default", "shape", lambda: BASE, 1)
    with pytest.raises(Http404):
        prepared.get("default", "shape", lambda: BASE, 1)


def test_a_queryset_with_prefetches_goes_through_the_orm_every_time():
    row = factories.track_offer()
    queryset = Track.objects.prefetch_related("track_offers")
    built = []

    def build():
        built.append(1)
        return queryset

    assert prepare_is_refused(queryset)
    for _ in range(2):
        track = prepared.get("default", "prefetch", build, row.track_id)
        assert [offer.pk for offer in track.track_offers.all()] == [row.pk]
    assert len(built) == 2


def prepare_is_refused(queryset) -> bool:
    return prepared.prepare(queryset) is None


def test_querysets_it_cannot_reproduce_are_not_prepared():
    assert prepare_is_refused(BASE.values("id"))
    assert prepare_is_refused(BASE.union(BASE))
    assert prepare_is_refused(BASE[:5])
    assert prepare_is_refused(Track.objects.prefetch_related("track_offers"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_as_in_django():
    row = factories.track_offer()
    locking = BASE.select_for_update(of=("self",))

    with pytest.raises(TransactionManagementError):
        prepared.get("default", "lock", lambda: locking, row.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert prepared.get("default", "lock", lambda: locking, row.pk) == row
    assert queries[0]["sql"].endswith('FOR UPDATE OF "trackoffers_trackoffer"')
    with pytest.raises(TransactionManagementError):
        prepared.get("default", "lock", lambda: locking, row.pk)


def test_no_view_makes_its_queryset_depend_on_more_than_the_shape():
    """The shape key holds only if views leave get_queryset alone."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    views = list(subclasses(ResourceViewSet))
    assert TrackOfferViewSet in views
    for view in views:
        for method in ("get_queryset", "filter_queryset", "get_object"):
            assert getattr(view, method) is getattr(ResourceViewSet, method), (
                view,
                method,
            )


def test_requests_of_one_shape_share_the_compiled_sql(api):
    first = factories.track_offer(copy_scan=False)
    second = factories.track_offer(copy_scan=True)

    for row in (first, second):
        response = api.get(f"/api/v1/track-offers/{row.pk}?include=track,offer")
        assert response.status_code == 200
        body = response.json()
        assert body["data"]["id"] == str(row.pk)
        assert body["data"]["attributes"]["usage"]["copy_scan"] is row.copy_scan
        assert {r["type"] for r in body["included"]} == {"tracks", "offers"}
    shapes = prepared.shapes("default")
    assert (TrackOfferViewSet, True, frozenset({"track", "offer"})) in shapes


def test_the_same_includes_in_any_order_are_one_shape(api):
    row = factories.track_offer()

    for include in ("track,offer", "offer,track"):
        response = api.get(f"/api/v1/track-offers/{row.pk}?include={include}")
        assert response.status_code == 200
    # Repeated names are refused before any query: no shape of their own.
    repeated = api.get(f"/api/v1/track-offers/{row.pk}?include=offer,track,offer")

    assert repeated.status_code == 400
    assert len(prepared.shapes("default")) == 1


def test_a_sort_or_filter_on_a_resource_is_still_checked(api):
    row = factories.track_offer()
    assert api.get(f"/api/v1/track-offers/{row.pk}").status_code == 200

    sorted_ = api.get(f"/api/v1/track-offers/{row.pk}?sort=nope")
    filtered = api.get(f"/api/v1/track-offers/{row.pk}?filter[offer-id]=0")

    assert sorted_.status_code == 400
    assert sorted_.json()["errors"][0]["source"] == {"parameter": "sort"}
    assert filtered.status_code == 404


def test_a_patch_reads_its_row_through_its_own_shape(api):
    row = factories.track_offer(copy_scan=True)
    assert api.get(f"/api/v1/track-offers/{row.pk}").status_code == 200

    response = api.patch(
        f"/api/v1/track-offers/{row.pk}",
        {
            "data": {
                "type": "track-offers",
                "id": str(row.pk),
                "attributes": {"usage": {"copy_scan": False}},
            }
        },
    )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.copy_scan is False
    shapes = prepared.shapes("default")
    assert (TrackOfferViewSet, False, frozenset({""})) in shapes
    assert (TrackOfferViewSet, True, frozenset({""})) in shapes


def ordered(queryset):
    return queryset.order_by("id")


@pytest.mark.parametrize("name", QUERYSETS)
@pytest.mark.parametrize(("low", "high"), [(0, 2), (1, 3), (4, 6)])
def test_a_page_is_the_slice_the_orm_reads(name, low, high):
    offer = factories.offer()
    for _ in range(5):
        factories.track_offer(offer_=offer, copy_scan=False)
    queryset = ordered(QUERYSETS[name])

    with CaptureQueriesContext(connection) as orm_queries:
        expected = list(queryset[low:high])
    prepared.page(("page", name), queryset, 0, 1)
    with CaptureQueriesContext(connection) as prepared_queries:
        rows = prepared.page(("page", name), queryset, low, high)

    assert [state(row) for row in rows] == [state(row) for row in expected]
    assert [q["sql"] for q in prepared_queries] == [q["sql"] for q in orm_queries]


@pytest.mark.parametrize("name", QUERYSETS)
@pytest.mark.parametrize(("after", "size"), [(0, 2), (2, 2), (4, 10)])
def test_a_page_after_an_id_is_what_the_orm_reads(name, after, size):
    rows = [factories.track_offer() for _ in range(5)]
    after = rows[after - 1].pk if after else 0
    queryset = ordered(QUERYSETS[name])

    with CaptureQueriesContext(connection) as orm_queries:
        expected = list(queryset.filter(pk__gt=after).order_by("pk")[:size])
    prepared.after(("after", name), queryset, 0, 1)
    with CaptureQueriesContext(connection) as prepared_queries:
        found = prepared.after(("after", name), queryset, after, size)

    assert [state(row) for row in found] == [state(row) for row in expected]
    assert [q["sql"] for q in prepared_queries] == [q["sql"] for q in orm_queries]


def test_unfiltered_lists_share_their_compiled_sql(api):
    rows = [factories.track_offer() for _ in range(3)]

    first = api.get("/api/v1/track-offers?page[size]=2")
    second = api.get("/api/v1/track-offers?page[size]=2&page[number]=2")
    walked = api.get(f"/api/v1/track-offers?page[after]={rows[0].pk}")

    assert [r["id"] for r in first.json()["data"]] == [str(r.pk) for r in rows[:2]]
    assert [r["id"] for r in second.json()["data"]] == [str(rows[2].pk)]
    assert [r["id"] for r in walked.json()["data"]] == [str(r.pk) for r in rows[1:]]
    assert set(prepared.shapes("default")) == {
        ("page", TrackOfferViewSet, True, frozenset({""})),
        ("after", TrackOfferViewSet, True, frozenset({""})),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/track-offers?filter[copy-scan]=false",
        "/api/v1/track-offers?sort=-id",
        "/api/v1/offers/{offer}/track-offers",
        "/api/v1/offers/{offer}/track-offers?page[after]=0",
    ],
)
def test_filtered_sorted_and_related_lists_are_compiled_as_usual(api, path):
    row = factories.track_offer(copy_scan=False)

    response = api.get(path.format(offer=row.offer_id))

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["data"]] == [str(row.pk)]
    assert prepared.shapes("default") == {}
