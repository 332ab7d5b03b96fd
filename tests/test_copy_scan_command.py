"""manage.py copy_scan: opt-out, opt-in, report and status."""

import csv
import io
import json
import re
import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from trackoffers.models import CopyScanChange, TrackOffer
from tracks.models import Track

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("copy_scan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def offer():
    offer = factories.offer()
    for number, isrc in enumerate(
        ["USRC17607839", "USRC17607840", "USRC17607841"], start=1
    ):
        factories.track(offer.product, isrc_code=isrc, track_number=number)
    return offer


def overrides(offer) -> dict[str, bool | None]:
    return dict(
        TrackOffer.objects.filter(offer=offer).values_list(
            "track__isrc_code", "copy_scan"
        )
    )


# opt-out


def test_opt_out_sets_the_override_and_counts(offer):
    factories.track_offer(
        Track.objects.get(isrc_code="USRC17607841"), offer, copy_scan=False
    )

    out, err = run(
        "opt-out",
        "--offer",
        str(offer.pk),
        "--isrc",
        "us-rc1-76-07839",
        "USRC17607840",
        "usrc17607841",
    )

    assert out == (
        "opted out 2, already opted out 1, unknown 0, malformed 0, "
        "outside the offer 0\n"
    )
    assert err == ""
    assert overrides(offer) == {
        "USRC17607839": False,
        "USRC17607840": False,
        "USRC17607841": False,
    }


def test_opt_out_records_history_as_made_by_command(offer):
    run("opt-out", "--offer", str(offer.pk), "--isrc", "USRC17607839")

    change = CopyScanChange.objects.get()
    assert (change.isrc_code, change.actor, change.source) == (
        "USRC17607839",
        "command",
        "command",
    )
    assert change.describe() == "copy_scan: scanned -> opted out"


def test_opt_out_reads_a_file_skipping_blanks_and_comments(offer, tmp_path):
    path = tmp_path / "isrcs.txt"
    path.write_text("# leased beats\nUSRC17607839\n\n  usrc17607840  \n")

    out, _ = run("opt-out", "--offer", str(offer.pk), "--isrc-file", str(path))

    assert out.startswith("opted out 2, already opted out 0,")
    assert set(overrides(offer)) == {"USRC17607839", "USRC17607840"}


def test_opt_out_reads_standard_input(offer, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("USRC17607840\n"))

    out, _ = run("opt-out", "--offer", str(offer.pk), "-")

    assert out.startswith("opted out 1,")
    assert overrides(offer) == {"USRC17607840": False}


def test_it_reports_every_invalid_line_and_changes_nothing(offer, tmp_path):
    stranger = factories.track(isrc_code="GBAYE0601477")
    path = tmp_path / "isrcs.txt"
    path.write_text("USRC17607839\nnot-an-isrc\n\nUSRC99999999\nGBAYE0601477\n")

    with pytest.raises(CommandError) as raised:
        run("opt-out", "--offer", str(offer.pk), "--isrc-file", str(path))

    assert str(raised.value) == (
        "Nothing changed: 3 invalid line(s). Fix them or pass --skip-invalid to "
        "apply the others."
    )
    assert not TrackOffer.objects.exists()
    assert not CopyScanChange.objects.exists()
    assert stranger.product_id != offer.product_id


def test_invalid_lines_are_named_with_their_line_numbers(offer, tmp_path):
    factories.track(isrc_code="GBAYE0601477")
    path = tmp_path / "isrcs.txt"
    path.write_text("USRC17607839\nnot-an-isrc\n\nUSRC99999999\nGBAYE0601477\n")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "copy_scan",
            "opt-out",
            "--offer",
            str(offer.pk),
            "--isrc-file",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )

    product = Track.objects.get(isrc_code="GBAYE0601477").product_id
    assert err.getvalue().splitlines() == [
        "line 2: 'not-an-isrc' is not an ISRC.",
        "line 4: no track has the ISRC USRC99999999.",
        f"line 5: GBAYE0601477 is on product {product}, not on the offer's "
        f"product {offer.product_id}.",
    ]


def test_skip_invalid_applies_the_valid_lines_and_still_fails(offer):
    out = io.StringIO()

    with pytest.raises(CommandError, match=re.escape("1 invalid line(s) skipped.")):
        call_command(
            "copy_scan",
            "opt-out",
            "--offer",
            str(offer.pk),
            "--isrc",
            "USRC17607839",
            "USRC00000000",
            "--skip-invalid",
            stdout=out,
            stderr=io.StringIO(),
        )

    assert out.getvalue() == (
        "opted out 1, already opted out 0, unknown 1, malformed 0, "
        "outside the offer 0\n"
    )
    assert overrides(offer) == {"USRC17607839": False}


def test_dry_run_says_what_would_change_and_changes_nothing(offer):
    out, _ = run(
        "opt-out", "--offer", str(offer.pk), "--isrc", "USRC17607839", "--dry-run"
    )

    assert out == (
        "Dry run, nothing changed: would have opted out 1, already opted out 0, "
        "unknown 0, malformed 0, outside the offer 0\n"
    )
    assert not TrackOffer.objects.exists()
    assert not CopyScanChange.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--offer", "999", "--isrc", "USRC17607839"], "There is no offer 999."),
        (
            ["--offer", "{offer}"],
            "Give the ISRCs in one way: --isrc, --isrc-file or -.",
        ),
        (
            ["--offer", "{offer}", "--isrc", "USRC17607839", "--isrc-file", "x"],
            "Give the ISRCs in one way: --isrc, --isrc-file or -.",
        ),
        (
            ["--offer", "{offer}", "--isrc-file", "/nonexistent/isrcs.txt"],
            "Cannot read /nonexistent/isrcs.txt",
        ),
    ],
)
def test_it_refuses_bad_arguments(offer, args, message):
    args = [arg.format(offer=offer.pk) for arg in args]

    with pytest.raises(CommandError, match=re.escape(message)):
        run("opt-out", *args)


def test_a_long_input_shows_a_progress_bar(offer, tmp_path):
    path = tmp_path / "isrcs.txt"
    path.write_text("USRC17607839\n" * 1500)

    out, err = run("opt-out", "--offer", str(offer.pk), "--isrc-file", str(path))

    assert out.startswith("opted out 1,")
    assert err.endswith("[##############################] 1/1 ISRCs checked\n")


# opt-in


def test_opt_in_removes_the_override_and_empty_track_offers(offer):
    first, second, _ = Track.objects.order_by("track_number")
    factories.track_offer(first, offer, copy_scan=False)
    factories.track_offer(second, offer, copy_scan=False, download=False)

    out, _ = run(
        "opt-in",
        "--offer",
        str(offer.pk),
        "--isrc",
        "USRC17607839",
        "USRC17607840",
        "USRC17607841",
    )

    assert out == (
        "opted in 2, already scanned 1, unknown 0, malformed 0, outside the offer 0\n"
    )
    assert overrides(offer) == {"USRC17607840": None}
    assert TrackOffer.objects.get().download is False


def test_opt_in_sets_the_override_where_the_offer_does_not_scan(offer):
    offer.copy_scan = False
    offer.save()

    run("opt-in", "--offer", str(offer.pk), "--isrc", "USRC17607839")

    assert overrides(offer) == {"USRC17607839": True}


# report


def test_report_lists_every_track_with_its_effective_copy_scan_as_csv(offer):
    first = Track.objects.get(isrc_code="USRC17607839")
    factories.track_offer(first, offer, copy_scan=False)

    out, _ = run("report", "--offer", str(offer.pk))

    assert list(csv.reader(io.StringIO(out))) == [
        ["isrc", "title", "volume", "track_number", "copy_scan", "source"],
        ["USRC17607839", "Leased Beat", "1", "1", "false", "track override"],
        ["USRC17607840", "Leased Beat", "1", "2", "true", "offer default"],
        ["USRC17607841", "Leased Beat", "1", "3", "true", "offer default"],
    ]


def test_report_writes_json_to_a_file(offer, tmp_path):
    path = tmp_path / "scan.json"

    out, _ = run(
        "report", "--offer", str(offer.pk), "--format", "json", "--output", str(path)
    )

    rows = json.loads(path.read_text())
    assert out == ""
    assert rows[0] == {
        "isrc": "USRC17607839",
        "title": "Leased Beat",
        "volume": 1,
        "track_number": 1,
        "copy_scan": True,
        "source": "offer default",
    }
    assert len(rows) == 3


def test_report_of_an_empty_product_is_an_empty_json_array(db):
    offer = factories.offer()

    out, _ = run("report", "--offer", str(offer.pk), "--format", "json")

    assert json.loads(out) == []


def bulk_tracks(product, count: int, start: int) -> None:
    Track.objects.bulk_create(
        Track(
            product=product,
            title=f"Track {number}",
            isrc_code=f"QZAAA{number:07d}",
            track_number=number,
        )
        for number in range(start, start + count)
    )


def peak_memory_of_report(offer) -> int:
    tracemalloc.start()
    call_command(
        "copy_scan", "report", "--offer", str(offer.pk), "--output", "/dev/null"
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_report_streams_instead_of_loading_every_track(db):
    small, large = factories.offer(), factories.offer()
    bulk_tracks(small.product, 2_000, start=1)
    bulk_tracks(large.product, 20_000, start=10_000)

    small_peak = peak_memory_of_report(small)
    large_peak = peak_memory_of_report(large)

    # Ten times the tracks, yet the peak stays within the same chunk size.
    assert large_peak < 2 * small_peak


# status


def test_status_shows_usage_in_every_offer_and_the_history(offer):
    track = Track.objects.get(isrc_code="USRC17607839")
    other = factories.offer(offer.product, is_default=True, download=False)
    run("opt-out", "--offer", str(offer.pk), "--isrc", "USRC17607839")

    out, _ = run("status", "--isrc", "us-rc1-76-07839")

    lines = out.splitlines()
    assert lines[0] == (
        f"USRC17607839 'Leased Beat', product {offer.product_id} 'Night Drive' "
        f"(UPC {offer.product.upc_code})"
    )
    assert lines[1:4] == [
        "Effective usage by offer:",
        f"  offer {other.pk} (default, active): download=off, on_demand_stream=on, "
        "non_interactive_stream=on, copy_scan=on (copy_scan from offer)",
        f"  offer {offer.pk} (active): download=on, on_demand_stream=on, "
        "non_interactive_stream=on, copy_scan=off (copy_scan from track override)",
    ]
    assert lines[4] == "Copy-scan history (newest first):"
    assert lines[5].endswith(
        f"UTC  offer {offer.pk}  copy_scan: scanned -> opted out  by command (command)"
    )
    assert track.copy_scan_history().count() == 1


def test_status_of_a_track_without_history_says_none(offer):
    out, _ = run("status", "--isrc", "USRC17607840")

    assert out.splitlines()[-2:] == ["Copy-scan history (newest first):", "  none"]


def test_status_of_an_unknown_isrc_is_an_error(db):
    with pytest.raises(
        CommandError, match=re.escape("No track has the ISRC USRC00000001.")
    ):
        run("status", "--isrc", "usrc00000001")
