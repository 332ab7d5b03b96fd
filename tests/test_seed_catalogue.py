"""manage.py seed_catalogue: synthetic catalogues for demos and benchmarks."""

import math
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from offers.models import Offer
from trackoffers import seeding
from trackoffers.models import CopyScanChange, TrackOffer
from tracks.codes import validate_isrc, validate_upc
from tracks.models import Product, Track

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_catalogue", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Product.objects.count(),
        Track.objects.count(),
        Offer.objects.count(),
        TrackOffer.objects.count(),
    )


def snapshot() -> list[tuple]:
    """Return every seeded row by its codes, without ids or timestamps."""
    return [
        *Product.objects.values_list("name", "upc_code", "release_date"),
        *Track.objects.values_list(
            "product__upc_code", "title", "isrc_code", "track_number", "artist"
        ),
        *Offer.objects.values_list(
            "product__upc_code",
            "is_default",
            "active",
            "preorder_date",
            "download",
            "on_demand_stream",
            "non_interactive_stream",
            "copy_scan",
        ),
        *TrackOffer.objects.values_list(
            "track__isrc_code",
            "offer__is_default",
            "download",
            "on_demand_stream",
            "non_interactive_stream",
            "copy_scan",
            "release_date",
        ),
    ]


def product_sizes() -> dict[int, int]:
    """Return how many products have each number of tracks."""
    per_product = (
        Track.objects.order_by()
        .values("product")
        .annotate(size=Count("id"))
        .values_list("size", flat=True)
    )
    return dict(Counter(per_product))


def delete_catalogue() -> None:
    TrackOffer.objects.all().delete()
    Track.objects.all().delete()
    Offer.objects.all().delete()
    Product.objects.all().delete()


def test_it_prints_a_counted_summary():
    output = seed(tracks=100, offers_per_product=3, override_share=1)

    assert output == (
        "created 10 products, 100 tracks, 30 offers, 300 track offers "
        "(41 opted out of copy scan)\n"
    )
    assert counts() == (10, 100, 30, 300)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"tracks": 1}, (1, 1, 2, 0)),
        ({"tracks": 1, "offers_per_product": 1, "override_share": 1}, (1, 1, 1, 1)),
        (
            {"tracks": 95, "offers_per_product": 4, "override_share": 0.25},
            (9, 95, 36, 95),
        ),
        ({"tracks": 200}, (20, 200, 40, 40)),
        ({"tracks": 200, "override_share": 0}, (20, 200, 40, 0)),
        (
            {"tracks": 200, "offers_per_product": 1, "override_share": 1},
            (20, 200, 20, 200),
        ),
    ],
)
def test_it_creates_the_rows_asked_for(options, expected):
    seed(**options)

    assert counts() == expected


def test_it_makes_products_of_8_to_12_tracks_numbered_from_1():
    seed(tracks=1000)

    sizes = product_sizes()
    assert set(sizes) == {8, 9, 10, 11, 12}
    assert sum(size * products for size, products in sizes.items()) == 1000
    for product in Product.objects.prefetch_related("tracks"):
        numbers = [track.track_number for track in product.tracks.all()]
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize(
    ("tracks", "sizes"), [(5, {5: 1}), (13, {6: 1, 7: 1}), (16, {8: 2})]
)
def test_it_puts_catalogues_too_small_to_split_in_one_or_two_products(tracks, sizes):
    seed(tracks=tracks)

    assert product_sizes() == sizes


def test_it_gives_each_product_one_default_offer_granting_everything():
    seed(tracks=100, offers_per_product=4)

    defaults = Offer.objects.filter(is_default=True)
    assert defaults.count() == Product.objects.count() == 10
    assert {tuple(offer.usage.values()) for offer in defaults} == {
        (True, True, True, True)
    }
    assert set(
        Product.objects.annotate(offer_count=Count("offers")).values_list(
            "offer_count", flat=True
        )
    ) == {4}


def test_its_other_offers_are_for_specific_services():
    seed(tracks=100, offers_per_product=10)

    others = Offer.objects.filter(is_default=False)
    # download, on-demand stream, non-interactive stream, copy scan
    assert {tuple(offer.usage.values()) for offer in others} == {
        (False, True, True, True),
        (True, False, False, True),
        (False, False, True, True),
        (True, True, True, False),
        (True, True, True, True),
    }
    assert others.filter(preorder_date__isnull=False).count() == 24
    assert others.filter(active=False).count() == 4


def test_it_overrides_the_share_of_pairs_asked_for_a_tenth_opting_out():
    output = seed(tracks=1000, offers_per_product=2, override_share=0.5)

    assert TrackOffer.objects.count() == 1000
    assert TrackOffer.objects.opted_out().count() == 121
    assert output.endswith("1,000 track offers (121 opted out of copy scan)\n")
    assert not TrackOffer.objects.exclude(track__product=F("offer__product")).exists()


def test_the_track_offers_that_do_not_opt_out_override_something_else():
    seed(tracks=1000, offers_per_product=2, override_share=0.5)

    rows = TrackOffer.objects.exclude(copy_scan=False)
    overrides = {(*row.usage.items(), row.release_date is not None) for row in rows}
    assert overrides == {
        (("copy_scan", True), False),
        (("download", False), False),
        (("on_demand_stream", False), False),
        (("non_interactive_stream", False), False),
        (True,),
    }
    later = rows.filter(release_date__gt=F("track__product__release_date"))
    assert later.count() == rows.filter(release_date__isnull=False).count() == 181


def test_every_code_is_valid_and_unique():
    seed(tracks=500)
    seed(tracks=500)

    upcs = list(Product.objects.values_list("upc_code", flat=True))
    isrcs = list(Track.objects.values_list("isrc_code", flat=True))
    for upc in upcs:
        validate_upc(upc)
        assert len(upc) == 12
    for isrc in isrcs:
        validate_isrc(isrc)
    assert (len(set(upcs)), len(set(isrcs))) == (len(upcs), 1000)


def test_it_builds_the_same_catalogue_for_the_same_seed():
    seed(tracks=300, offers_per_product=3, override_share=0.4, seed=7)
    first = snapshot()
    delete_catalogue()

    seed(tracks=300, offers_per_product=3, override_share=0.4, seed=7)

    assert snapshot() == first
    assert len(first) == 31 + 300 + 93 + 360


def test_another_seed_builds_another_catalogue():
    seed(tracks=300, seed=7)
    first = list(Track.objects.values_list("title", "artist", "length"))
    delete_catalogue()

    seed(tracks=300, seed=8)

    second = list(Track.objects.values_list("title", "artist", "length"))
    assert len(second) == len(first) == 300
    assert second != first


def test_a_second_run_adds_a_catalogue_beside_the_first():
    seed(tracks=100, offers_per_product=3, override_share=1)
    first_upcs = set(Product.objects.values_list("upc_code", flat=True))

    output = seed(tracks=100, offers_per_product=3, override_share=1)

    assert output.startswith("created 10 products, 100 tracks")
    assert counts() == (20, 200, 60, 600)
    second = Product.objects.exclude(upc_code__in=first_upcs)
    assert second.count() == 10
    # Same seed, same names; only the codes differ.
    assert sorted(second.values_list("name", flat=True)) == sorted(
        Product.objects.filter(upc_code__in=first_upcs).values_list("name", flat=True)
    )


def test_it_records_no_copy_scan_history():
    seed(tracks=100, offers_per_product=2, override_share=1)

    assert TrackOffer.objects.opted_out().exists()
    assert not CopyScanChange.objects.exists()


def test_it_leaves_nothing_behind_when_it_fails(monkeypatch):
    def fail(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seeding, "_insert_track_offers", fail)

    with pytest.raises(RuntimeError):
        seed(tracks=100, override_share=1)

    assert counts() == (0, 0, 0, 0)


def test_it_draws_a_progress_bar_on_stderr(monkeypatch):
    monkeypatch.setattr(seeding, "CHUNK_TRACKS", 50)
    err = StringIO()

    call_command("seed_catalogue", tracks=200, stdout=StringIO(), stderr=err)

    redraws = err.getvalue().split("\r")[1:]
    assert len(redraws) == 4
    assert redraws[0].endswith("tracks")
    assert redraws[-1] == f"[{'#' * 30}] 200/200 tracks\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tracks": 0}, "--tracks must be between 1 and 1,000,000."),
        ({"tracks": -5}, "--tracks must be between 1 and 1,000,000."),
        ({"tracks": 1_000_001}, "--tracks must be between 1 and 1,000,000."),
        (
            {"tracks": 10, "offers_per_product": 0},
            "--offers-per-product must be between 1 and 100.",
        ),
        (
            {"tracks": 10, "offers_per_product": 101},
            "--offers-per-product must be between 1 and 100.",
        ),
        (
            {"tracks": 10, "override_share": -0.1},
            "--override-share must be between 0 and 1.",
        ),
        (
            {"tracks": 10, "override_share": 1.5},
            "--override-share must be between 0 and 1.",
        ),
        (
            {"tracks": 10, "override_share": math.nan},
            "--override-share must be between 0 and 1.",
        ),
        ({}, "Error: the following arguments are required: --tracks"),
    ],
)
def test_it_refuses_arguments_out_of_range(options, message):
    with pytest.raises(CommandError) as error:
        seed(**options)

    assert str(error.value) == message
    assert counts() == (0, 0, 0, 0)


def test_the_function_refuses_arguments_before_any_query(
    django_assert_num_queries,
):
    with (
        django_assert_num_queries(0),
        pytest.raises(seeding.SeedArgumentError) as error,
    ):
        seeding.seed_catalogue(tracks=10, offers_per_product=0)

    assert (error.value.argument, str(error.value)) == (
        "offers_per_product",
        "offers_per_product must be between 1 and 100",
    )


def test_it_refuses_arguments_that_are_not_numbers():
    with pytest.raises(CommandError) as error:
        call_command("seed_catalogue", "--tracks", "many", stdout=StringIO())

    assert str(error.value) == "Error: argument --tracks: invalid int value: 'many'"


@pytest.mark.parametrize("tracks", [50, 500])
def test_it_runs_no_query_per_row(django_assert_max_num_queries, tracks):
    # 500 tracks make 50 products, 100 offers and 1,000 track offers. SQLite
    # takes 999 parameters a statement, so Django splits its INSERTs into
    # batches of about a hundred rows there; PostgreSQL gets one each.
    with django_assert_max_num_queries(25):
        seed(tracks=tracks, offers_per_product=2, override_share=1)

    assert Track.objects.count() == tracks


def test_its_queries_grow_only_with_insert_batches():
    def queries(tracks: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            seed(tracks=tracks, offers_per_product=2, override_share=1)
        return len(captured)

    small, large = queries(50), queries(500)

    # Savepoint and release, two queries for free codes, then one statement
    # each for products, offers, tracks and track offers (a COPY on
    # PostgreSQL). SQLite's 999-parameter limit splits the 500 tracks and
    # 1,000 track offers into 5 and 10 INSERTs, and the 100 offers into 2.
    expected = {"postgresql": (8, 8), "sqlite": (8, 22)}[connection.vendor]
    assert (small, large) == expected


def test_seed_product_builds_one_product_of_any_size():
    seed(tracks=50)

    result = seeding.seed_product(tracks=300, offers=2, override_share=0.5, seed=3)

    big = Product.objects.get(tracks__track_number=300)
    assert (result.products, result.tracks, result.offers) == (1, 300, 2)
    assert big.tracks.count() == 300
    assert list(big.offers.values_list("is_default", flat=True)) == [True, False]
    assert TrackOffer.objects.filter(offer__product=big).count() == 300
    assert result.track_offers == 300
    assert Track.objects.values("isrc_code").distinct().count() == 350


def test_seed_product_refuses_arguments_out_of_range():
    with pytest.raises(seeding.SeedArgumentError):
        seeding.seed_product(tracks=0)
