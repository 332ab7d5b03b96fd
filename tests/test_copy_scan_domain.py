"""The copy-scan domain layer used from the shell, commands, API and admin."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from offers.usage import effective_usage
from tests import factories
from tests.documents import track_offer_body
from tests.queries import copy_scan_update_statements
from trackoffers import services
from trackoffers.history import Source, acting
from trackoffers.models import CopyScanChange, TrackOffer
from tracks.models import Track

pytestmark = pytest.mark.django_db

OFFER_USAGE = {
    "download": True,
    "on_demand_stream": True,
    "non_interactive_stream": False,
    "copy_scan": True,
}


# Effective usage


def test_no_override_means_the_offers_flags():
    assert effective_usage(OFFER_USAGE, {}) == OFFER_USAGE


def test_overrides_win_and_none_inherits():
    usage = effective_usage(
        OFFER_USAGE,
        {"copy_scan": False, "download": None, "non_interactive_stream": True},
    )

    assert usage == {
        "download": True,
        "on_demand_stream": True,
        "non_interactive_stream": True,
        "copy_scan": False,
    }


@pytest.mark.parametrize("offer_scans", [True, False])
@pytest.mark.parametrize("override", [None, True, False, "no track offer"])
def test_python_and_sql_agree_on_effective_copy_scan(offer_scans, override):
    offer = factories.offer(copy_scan=offer_scans)
    track = factories.track(offer.product)
    if override != "no track offer":
        factories.track_offer(track, offer, copy_scan=override)
    expected = offer_scans if override in (None, "no track offer") else override

    in_sql = Track.objects.in_offer(offer).get().effective_copy_scan
    in_python = track.effective_usage(offer)["copy_scan"]

    assert in_sql is expected
    assert in_python is expected
    if override != "no track offer":
        row = TrackOffer.objects.with_offer_usage().get()
        assert row.effective_usage["copy_scan"] is expected


def test_track_effective_usage_costs_one_query(django_assert_num_queries):
    track_offer = factories.track_offer(copy_scan=False)
    track, offer = track_offer.track, track_offer.offer

    with django_assert_num_queries(1):
        usage = track.effective_usage(offer)

    assert usage == {**offer.usage, "copy_scan": False}


# Reads


@pytest.fixture
def catalogue():
    offer = factories.offer()
    opted_out, scanned, rescanned = (factories.track(offer.product) for _ in range(3))
    factories.track_offer(opted_out, offer, copy_scan=False)
    factories.track_offer(rescanned, offer, copy_scan=True)
    factories.track_offer(scanned, factories.offer(offer.product), copy_scan=False)
    return offer, opted_out, scanned, rescanned


def new_changes(since: int):
    return CopyScanChange.objects.filter(pk__gt=since).order_by("pk")


def last_change_id() -> int:
    return (
        CopyScanChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )


def test_offer_lists_scanned_and_opted_out_tracks(catalogue):
    offer, opted_out, scanned, rescanned = catalogue

    assert list(offer.scanned_tracks()) == [scanned, rescanned]
    assert list(offer.opted_out_tracks()) == [opted_out]


def test_track_offers_opted_out(catalogue):
    _, opted_out, scanned, _ = catalogue

    rows = TrackOffer.objects.opted_out()

    assert sorted(row.track_id for row in rows) == sorted([opted_out.pk, scanned.pk])


# Bulk changes


def test_offer_opt_out_creates_and_updates_overrides(catalogue):
    offer, opted_out, scanned, rescanned = catalogue
    staff = factories.user("alice")
    since = last_change_id()

    result = offer.opt_out([opted_out, scanned, rescanned.pk], by=staff)

    assert result.changed == [scanned.pk, rescanned.pk]
    assert result.unchanged == [opted_out.pk]
    assert list(offer.scanned_tracks()) == []
    assert [
        (c.track_id, c.describe(), c.user, c.actor, c.source)
        for c in new_changes(since)
    ] == [
        (scanned.pk, "copy_scan: scanned -> opted out", staff, "alice", "shell"),
        (rescanned.pk, "copy_scan: scanned -> opted out", staff, "alice", "shell"),
    ]


def test_offer_opt_in_removes_overrides_and_empty_track_offers(catalogue):
    offer, opted_out, _, _ = catalogue
    kept = factories.track(offer.product)
    factories.track_offer(kept, offer, copy_scan=False, download=False)
    since = last_change_id()

    result = offer.opt_in([opted_out, kept])

    assert result.changed == [opted_out.pk, kept.pk]
    assert not TrackOffer.objects.filter(offer=offer, track=opted_out).exists()
    assert TrackOffer.objects.get(offer=offer, track=kept).copy_scan is None
    assert list(offer.opted_out_tracks()) == []
    assert [c.describe() for c in new_changes(since)] == [
        "copy_scan: opted out -> scanned",
        "copy_scan: opted out -> scanned",
    ]


def test_bulk_changes_refuse_tracks_outside_the_offer(catalogue):
    offer, opted_out, _, _ = catalogue
    stranger = factories.track()
    since = last_change_id()

    with pytest.raises(services.TracksOutsideOffer) as raised:
        offer.opt_in([opted_out, stranger, 424242])

    assert raised.value.unknown == [424242]
    assert raised.value.outside == [stranger.pk]
    assert TrackOffer.objects.get(offer=offer, track=opted_out).copy_scan is False
    assert not new_changes(since).exists()


def test_a_dry_run_changes_nothing(catalogue):
    offer, opted_out, scanned, _ = catalogue
    since = last_change_id()

    result = services.opt_out(offer=offer, tracks=[scanned], dry_run=True)

    assert result.changed == [scanned.pk]
    assert list(offer.opted_out_tracks()) == [opted_out]
    assert not new_changes(since).exists()


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(
        [
            query
            for query in captured.captured_queries
            if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
        ]
    )


# SQLite statements take at most 999 parameters, so Django splits larger
# inserts there; PostgreSQL shows the count stays fixed at a thousand tracks.
LARGE = 1000 if connection.vendor == "postgresql" else 60


@pytest.mark.parametrize("size", [10, LARGE])
def test_bulk_opt_out_runs_a_fixed_number_of_queries(size):
    offer = factories.offer()
    tracks = [factories.track(offer.product) for _ in range(size)]
    half = size // 2
    for track in tracks[:half]:
        factories.track_offer(track, offer, download=False)

    queries = count_queries(lambda: offer.opt_out(tracks))

    # check tracks, lock track offers, insert, update, history
    assert queries == 5
    assert offer.opted_out_tracks().count() == size


@pytest.mark.parametrize("size", [10, LARGE])
def test_bulk_opt_in_runs_a_fixed_number_of_queries(size):
    offer = factories.offer()
    tracks = [factories.track(offer.product) for _ in range(size)]
    for number, track in enumerate(tracks):
        factories.track_offer(
            track, offer, copy_scan=False, download=False if number % 2 else None
        )

    queries = count_queries(lambda: offer.opt_in(tracks))

    # check tracks, lock track offers, update, delete, history
    assert queries == 5
    assert offer.opted_out_tracks().count() == 0


# Single-row changes


def test_track_offer_opt_out_and_opt_in(django_assert_num_queries):
    track_offer = factories.track_offer(download=False)
    track_offer = TrackOffer.objects.with_offer_usage().get(pk=track_offer.pk)

    with django_assert_num_queries(copy_scan_update_statements()):
        track_offer.opt_out()
    with django_assert_num_queries(copy_scan_update_statements()):
        track_offer.opt_in()

    track_offer.refresh_from_db()
    assert track_offer.copy_scan is None
    assert [change.describe() for change in CopyScanChange.objects.all()] == [
        "copy_scan: opted out -> scanned",
        "copy_scan: scanned -> opted out",
    ]


# History


def test_api_writes_are_recorded_with_the_token_owner(api, writer):
    offer = factories.offer()
    track = factories.track(offer.product)

    created = api.post(
        "/api/v1/track-offers",
        track_offer_body(track, offer, usage={"copy_scan": False}),
    )
    track_offer_id = created.json()["data"]["id"]
    api.patch(
        f"/api/v1/track-offers/{track_offer_id}",
        {
            "data": {
                "type": "track-offers",
                "id": track_offer_id,
                "attributes": {"release-date": "2027-01-01"},
            }
        },
    )
    api.delete(f"/api/v1/track-offers/{track_offer_id}")

    history = list(track.copy_scan_history())
    assert [(c.describe(), c.user, c.source) for c in history] == [
        ("copy_scan: opted out -> scanned", writer, "api"),
        ("copy_scan: scanned -> opted out", writer, "api"),
    ]
    assert {c.track_offer_number for c in history} == {int(track_offer_id)}
    assert not TrackOffer.objects.exists()


def test_a_failed_api_write_records_nothing(api):
    existing = factories.track_offer(copy_scan=False)
    before = CopyScanChange.objects.count()

    response = api.post(
        "/api/v1/track-offers",
        track_offer_body(existing.track, existing.offer, usage={"copy_scan": True}),
    )

    assert response.status_code == 409
    assert CopyScanChange.objects.count() == before


def test_history_records_the_source_given_by_acting():
    staff = factories.user("bob")

    with acting(staff, Source.ADMIN):
        track_offer = factories.track_offer(copy_scan=False)

    change = track_offer.track.copy_scan_history().get()
    assert (change.user, change.actor, change.source) == (staff, "bob", "admin")


def test_history_outlives_the_track_offer_and_the_track():
    track_offer = factories.track_offer(copy_scan=False)
    track, isrc = track_offer.track, track_offer.track.isrc_code

    track_offer.delete()
    track.delete()

    assert [(c.isrc_code, c.track_id) for c in CopyScanChange.objects.all()] == [
        (isrc, None),
        (isrc, None),
    ]


def test_history_is_append_only():
    change_row = factories.track_offer(copy_scan=False).track.copy_scan_history().get()

    with pytest.raises(ValueError, match="append-only"):
        change_row.save()
    with pytest.raises(ValueError, match="append-only"):
        change_row.delete()


def test_an_override_that_keeps_the_effective_value_says_so():
    track_offer = factories.track_offer(copy_scan=True)

    change = track_offer.track.copy_scan_history().get()

    assert change.describe() == (
        "copy_scan: stays scanned; track override inherit -> scanned"
    )


def test_changes_that_do_not_touch_copy_scan_are_not_recorded():
    track_offer = factories.track_offer(download=False)

    track_offer.release_date = "2027-01-01"
    track_offer.save()

    assert not CopyScanChange.objects.exists()


def test_record_returns_the_change_as_stored():
    offer = factories.offer(copy_scan=False)
    track_offer = factories.track_offer(factories.track(offer.product), offer)

    change = CopyScanChange.record(track_offer, previous=None, current=True)

    stored = CopyScanChange.objects.get(pk=change.pk)
    assert (change.isrc_code, change.was_scanned, change.is_scanned) == (
        stored.isrc_code,
        False,
        True,
    )
    assert stored.was_scanned is False
    assert stored.is_scanned is True
    assert stored.changed_at == change.changed_at
    assert (stored.track_id, stored.offer_id) == (track_offer.track_id, offer.pk)
    assert stored.track_offer_number == track_offer.pk
    assert (stored.actor, stored.source, stored.user_id) == ("shell", "shell", None)


def test_record_refuses_a_track_that_does_not_exist():
    track_offer = factories.track_offer()
    track_offer.track_id = 10**9

    with pytest.raises(IntegrityError), transaction.atomic():
        CopyScanChange.record(track_offer, previous=None, current=False)

    assert not CopyScanChange.objects.exists()


def test_saving_some_fields_records_the_change_and_writes_only_those():
    track_offer = factories.track_offer(copy_scan=True)
    stamped = track_offer.updated_at

    track_offer.copy_scan = False
    track_offer.release_date = "2027-01-01"
    track_offer.save(update_fields=["copy_scan", "updated_at"])

    stored = TrackOffer.objects.get(pk=track_offer.pk)
    assert (stored.copy_scan, stored.release_date) == (False, None)
    assert stored.updated_at > stamped
    # The newest change; the first was the creation.
    assert CopyScanChange.objects.count() == 2
    change = CopyScanChange.objects.first()
    assert (change.previous_override, change.new_override) == (True, False)
    assert (change.was_scanned, change.is_scanned) == (True, False)
    assert change.track_offer_number == track_offer.pk


def test_saving_a_row_deleted_meanwhile_puts_it_back_and_records_the_change():
    track_offer = factories.track_offer(copy_scan=True)
    # A queryset delete records nothing: only the save below does.
    TrackOffer.objects.filter(pk=track_offer.pk).delete()

    track_offer.copy_scan = False
    track_offer.save()

    assert TrackOffer.objects.get(pk=track_offer.pk).copy_scan is False
    assert CopyScanChange.objects.count() == 2
    change = CopyScanChange.objects.first()
    assert (change.previous_override, change.new_override) == (True, False)


def test_a_change_that_cannot_be_recorded_is_not_saved_either():
    track_offer = factories.track_offer(copy_scan=True)
    track_offer.copy_scan = False
    track_offer.track_id = 10**9

    with pytest.raises(IntegrityError), transaction.atomic():
        track_offer.save()

    assert TrackOffer.objects.get(pk=track_offer.pk).copy_scan is True
    # Only the creation is recorded.
    assert CopyScanChange.objects.get().new_override is True
