"""Single-resource reads compiled once per shape give what the ORM gives."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jsonapi import prepared
from jsonapi.filtersets import IdListFilter
from jsonapi.views import ResourceViewSet
from tests import factories
from tests.documents import usage_patch
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
    first = prepared.get("default", prepared.Shape(name, lambda: queryset), row.pk)
    with CaptureQueriesContext(connection) as prepared_queries:
        again = prepared.get("default", prepared.Shape(name, lambda: queryset), row.pk)

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

    assert prepared.get("default", prepared.Shape("shape", build), first.pk) == first
    assert prepared.get("default", prepared.Shape("shape", build), second.pk) == second
    assert len(built) == 1


def test_a_missing_row_is_a_404():
    with pytest.raises(Http404):
        prepared.get("default", prepared.Shape("shape", lambda: BASE), 1)
    with pytest.raises(Http404):
        prepared.get("default", prepared.Shape("shape", lambda: BASE), 1)


def test_a_queryset_with_prefetches_goes_through_the_orm_every_time():
    row = factories.track_offer()
    queryset = Track.objects.prefetch_related("track_offers")
    built = []

    def build():
        built.append(1)
        return queryset

    assert prepare_is_refused(queryset)
    for _ in range(2):
        track = prepared.get("default", prepared.Shape("prefetch", build), row.track_id)
        assert [offer.pk for offer in track.track_offers.all()] == [row.pk]
    # Once per request, and once more the first time, to try compiling it.
    assert len(built) == 3


def prepare_is_refused(queryset) -> bool:
    return prepared.prepare(queryset, set()) is None


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
        prepared.get("default", prepared.Shape("lock", lambda: locking), row.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert (
            prepared.get("default", prepared.Shape("lock", lambda: locking), row.pk)
            == row
        )
    assert queries[0]["sql"].endswith('FOR UPDATE OF "trackoffers_trackoffer"')
    with pytest.raises(TransactionManagementError):
        prepared.get("default", prepared.Shape("lock", lambda: locking), row.pk)


def subclasses(cls: type):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_no_view_makes_its_queryset_depend_on_more_than_the_shape():
    """The shape key holds only if views leave get_queryset alone."""
    views = list(subclasses(ResourceViewSet))
    assert TrackOfferViewSet in views
    for view in views:
        for method in ("get_queryset", "filter_queryset", "get_object"):
            assert getattr(view, method) is getattr(ResourceViewSet, method), (
                view,
                method,
            )


def test_filters_that_stand_in_filter_as_they_say():
    """A subclass that changed ``filter`` alone would compile wrong SQL."""
    checked = 0
    for view in subclasses(ResourceViewSet):
        filterset = getattr(view, "filterset_class", None)
        for filter_ in getattr(filterset, "base_filters", {}).values():
            if not hasattr(filter_, "stand_in"):
                continue
            owner = next(c for c in type(filter_).__mro__ if "stand_in" in vars(c))
            assert "filter" in vars(owner), owner
            assert type(filter_).filter is owner.filter, type(filter_)
            checked += 1
    assert checked >= 4


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
    assert ("get", TrackOfferViewSet, True, frozenset({"track", "offer"})) in shapes


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
        usage_patch(row.pk, copy_scan=False),
    )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.copy_scan is False
    shapes = prepared.shapes("default")
    assert ("get", TrackOfferViewSet, False, frozenset({""})) in shapes
    assert ("get", TrackOfferViewSet, True, frozenset({""})) in shapes


def ordered(queryset):
    return queryset.order_by("id")


def rows_and_sql(read) -> tuple[list, list]:
    """The state of the rows ``read()`` returns, and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        rows = read()
    return [state(row) for row in rows], [q["sql"] for q in queries]


@pytest.mark.parametrize("name", QUERYSETS)
@pytest.mark.parametrize(("low", "high"), [(0, 2), (1, 3), (4, 6)])
def test_a_page_is_the_slice_the_orm_reads(name, low, high):
    offer = factories.offer()
    for _ in range(5):
        factories.track_offer(offer_=offer, copy_scan=False)
    queryset = ordered(QUERYSETS[name])
    shape = prepared.Shape(("page", name), lambda: queryset)

    expected = rows_and_sql(lambda: list(queryset[low:high]))
    prepared.page(shape, queryset, 0, 1)

    # The same rows, and the very SQL, with other limits than at first.
    assert rows_and_sql(lambda: prepared.page(shape, queryset, low, high)) == expected


@pytest.mark.parametrize("name", QUERYSETS)
@pytest.mark.parametrize(("after", "size"), [(0, 2), (2, 2), (4, 10)])
def test_a_page_after_an_id_is_what_the_orm_reads(name, after, size):
    rows = [factories.track_offer() for _ in range(5)]
    after = rows[after - 1].pk if after else 0
    queryset = ordered(QUERYSETS[name])
    shape = prepared.Shape(("after", name), lambda: queryset)

    expected = rows_and_sql(
        lambda: list(queryset.filter(pk__gt=after).order_by("pk")[:size])
    )
    prepared.after(shape, queryset, 0, 1)

    assert (
        rows_and_sql(lambda: prepared.after(shape, queryset, after, size)) == expected
    )


def test_unfiltered_lists_share_their_compiled_sql(api):
    rows = [factories.track_offer() for _ in range(3)]

    first = api.get("/api/v1/track-offers?page[size]=2")
    second = api.get("/api/v1/track-offers?page[size]=2&page[number]=2")
    walked = api.get(f"/api/v1/track-offers?page[after]={rows[0].pk}")

    assert [r["id"] for r in first.json()["data"]] == [str(r.pk) for r in rows[:2]]
    assert [r["id"] for r in second.json()["data"]] == [str(rows[2].pk)]
    assert [r["id"] for r in walked.json()["data"]] == [str(r.pk) for r in rows[1:]]
    kinds = {"page", "after"}
    if connection.vendor != "postgresql":
        # PostgreSQL estimates the total of a large table instead (pagination).
        kinds.add("count")
    assert set(prepared.shapes("default")) == {
        (kind, TrackOfferViewSet, True, frozenset({""})) for kind in kinds
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/track-offers?sort=-id",
        "/api/v1/track-offers?filter[copy-scan]=false&sort=id",
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


@pytest.fixture
def catalogue():
    """Two offers with track offers of both copy-scan overrides and none."""
    offers = [factories.offer(), factories.offer()]
    rows = [
        factories.track_offer(offer_=offer, copy_scan=copy_scan)
        for offer in offers
        for copy_scan in (False, True, None, False)
    ]
    return offers, rows


def compiled_and_orm(api, monkeypatch, path: str) -> tuple:
    """Answer ``path`` by the ORM, then compiled once (on its second request).

    Returns both bodies and the SQL each ran.
    """
    with monkeypatch.context() as patch:
        patch.setattr(prepared, "MAX_SHAPES", 0)
        with CaptureQueriesContext(connection) as queries:
            orm = api.get(path)
    # Read now: the next request empties the log these queries are read from.
    orm_sql = [q["sql"] for q in queries]
    assert prepared.shapes("default") == {}
    assert api.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        compiled = api.get(path)
    assert compiled.status_code == orm.status_code == 200
    return (compiled.json(), orm.json()), ([q["sql"] for q in queries], orm_sql)


FILTERED = [
    "filter[offer-id]={a}",
    "filter[offer-id]={a},{b},{a}",
    "filter[offer-id]={b},{a}&page[size]=3&page[number]=2",
    "filter[copy-scan]=false",
    "filter[copy-scan]=true&filter[offer-id]={b}",
    "filter[offer-id]={a}&filter[copy-scan]=false&include=track,offer",
    "filter[id]={r0},{r5},{r6}&filter[copy-scan]=false",
    "filter[track-id]={t0}&page[size]=1",
    "filter[offer-id]={a}&page[after]={r1}&page[size]=2",
    "filter[offer-id]=0",
]


@pytest.mark.parametrize("query", FILTERED)
def test_a_filtered_list_is_what_the_orm_answers(api, monkeypatch, catalogue, query):
    offers, rows = catalogue
    path = "/api/v1/track-offers?" + query.format(
        a=offers[0].pk,
        b=offers[1].pk,
        r0=rows[0].pk,
        r1=rows[1].pk,
        r5=rows[5].pk,
        r6=rows[6].pk,
        t0=rows[0].track_id,
    )

    (compiled, orm), (compiled_sql, orm_sql) = compiled_and_orm(api, monkeypatch, path)

    assert compiled == orm
    # The same SQL, with this request's values, and no other query.
    assert compiled_sql == orm_sql
    if "page[after]" in query:
        kinds = {"after"}
    elif compiled["meta"]["page"]["total"] == 0:
        kinds = {"count"}
    else:
        kinds = {"count", "page"}
    assert {key[0] for key in prepared.shapes("default")} == kinds


def test_filters_with_other_values_share_the_compiled_sql(api, catalogue):
    offers, rows = catalogue

    answers = [
        api.get(
            f"/api/v1/track-offers?filter[offer-id]={offer.pk}&filter[copy-scan]=false"
        )
        for offer in offers
    ]

    for offer, answer in zip(offers, answers, strict=True):
        body = answer.json()
        expected = [
            str(row.pk)
            for row in rows
            if row.offer_id == offer.pk and row.copy_scan is False
        ]
        assert [r["id"] for r in body["data"]] == expected
        assert body["meta"]["page"]["total"] == 2
    key = (
        TrackOfferViewSet,
        True,
        frozenset({""}),
        (("id", None), ("track_id", None), ("offer_id", 1), ("copy_scan", "false")),
    )
    assert set(prepared.shapes("default")) == {("count", *key), ("page", *key)}


def test_what_the_filter_values_decide_makes_shapes_of_their_own(api, catalogue):
    offers, _ = catalogue
    a, b = offers[0].pk, offers[1].pk

    for query in (
        f"filter[offer-id]={a}",
        f"filter[offer-id]={b}",
        f"filter[offer-id]={a},{b}",
        f"filter[offer-id]={a},{b},{b}",
        f"filter[offer-id]={a}&filter[copy-scan]=true",
        f"filter[offer-id]={a}&filter[copy-scan]=false",
    ):
        assert api.get(f"/api/v1/track-offers?{query}").status_code == 200

    filters = {key[-1] for key in prepared.shapes("default")}
    assert filters == {
        (("id", None), ("track_id", None), ("offer_id", ids), ("copy_scan", copy_scan))
        for ids, copy_scan in ((1, None), (2, None), (1, "true"), (1, "false"))
    }


def test_ids_stand_in_once_each_in_the_order_given():
    ids = IdListFilter(field_name="id")

    key, compiled_with, values = ids.stand_in([7, 3, 7], prepared.stand_ins())

    assert key == 2
    assert compiled_with == [prepared.STAND_IN - 1, prepared.STAND_IN - 2]
    assert values == {prepared.STAND_IN - 1: 7, prepared.STAND_IN - 2: 3}
    assert ids.stand_in(None, prepared.stand_ins()) == (None, None, {})


def test_filters_with_a_method_are_compiled_as_usual(api, catalogue):
    offers, _ = catalogue

    response = api.get(f"/api/v1/tracks?filter[offer-id]={offers[0].pk}")

    assert response.status_code == 200
    assert len(response.json()["data"]) == 4
    assert prepared.shapes("default") == {}


def test_a_bad_filter_value_is_refused_before_any_shape(api, catalogue):
    response = api.get("/api/v1/track-offers?filter[copy-scan]=no")

    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"parameter": "filter[copy-scan]"}
    assert prepared.shapes("default") == {}


def test_the_shapes_a_connection_keeps_are_bounded(api, monkeypatch, catalogue):
    offers, rows = catalogue
    monkeypatch.setattr(prepared, "MAX_SHAPES", 2)
    a, b = offers[0].pk, offers[1].pk
    assert api.get(f"/api/v1/track-offers?filter[offer-id]={a}").status_code == 200

    # A new shape past the bound is answered by the ORM, and not kept.
    response = api.get(f"/api/v1/track-offers?filter[offer-id]={a},{b}")

    assert [r["id"] for r in response.json()["data"]] == [str(r.pk) for r in rows]
    assert len(prepared.shapes("default")) == 2


def test_the_first_count_of_a_shape_is_the_one_query_the_orm_runs(api, catalogue):
    offers, _ = catalogue
    path = f"/api/v1/track-offers?filter[offer-id]={offers[0].pk}&page[size]=2"

    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)

    # The token, the count with this request's values (not the stand-ins',
    # which would count nothing), the page.
    assert len(queries) == 3
    assert response.json()["meta"]["page"]["total"] == 4
    assert api.get(path).json()["meta"]["page"]["total"] == 4


def test_a_count_whose_stand_ins_are_not_found_is_the_orms(api, monkeypatch, catalogue):
    offers, _ = catalogue
    monkeypatch.setattr(prepared, "_slots", lambda params, stand_ins: None)

    for _ in range(2):
        response = api.get(f"/api/v1/track-offers?filter[offer-id]={offers[1].pk}")
        assert response.json()["meta"]["page"]["total"] == 4
        assert len(response.json()["data"]) == 4
    assert all(
        found is prepared._NOT_PREPARED for found in prepared.shapes("default").values()
    )
