"""Opt tracks out of fingerprint scanning, back in, and report on it.

``opt-out`` and ``opt-in`` read ISRCs from arguments, a file or standard
input. Every line is checked first: malformed ISRCs, unknown tracks and
tracks of another product are reported with their line numbers, and nothing
changes unless ``--skip-invalid`` is given. All changes happen in one
transaction and are recorded in the copy-scan history as made by "command".
The exit status is non-zero whenever a line was invalid.
"""

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import F, FilteredRelation, Q

from offers.models import Offer
from offers.usage import USAGE_FLAGS, effective_usage
from trackoffers import services
from trackoffers.history import Source
from trackoffers.progress import ProgressBar
from tracks.codes import normalize_isrc, validate_isrc
from tracks.models import Track

PROGRESS_THRESHOLD = 1000
LOOKUP_BATCH = 900


@dataclass
class Checked:
    """ISRC input lines sorted into the tracks to change and the problems."""

    track_ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    malformed: int = 0
    unknown: int = 0
    outside: int = 0


class Command(BaseCommand):
    help = "Opt tracks out of copy scan or back in, report an offer, show a track."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, summary in (
            ("opt-out", "Keep tracks out of fingerprint scanning in an offer."),
            ("opt-in", "Send tracks to fingerprint scanning in an offer again."),
        ):
            change = actions.add_parser(name, help=summary)
            change.add_argument("--offer", type=int, required=True, help="Offer id.")
            change.add_argument("--isrc", nargs="+", help="ISRCs, any case or hyphens.")
            change.add_argument("--isrc-file", help="A file with one ISRC per line.")
            change.add_argument(
                "stdin", nargs="?", choices=["-"], help="- reads ISRCs from stdin."
            )
            change.add_argument(
                "--dry-run", action="store_true", help="Show what would change."
            )
            change.add_argument(
                "--skip-invalid",
                action="store_true",
                help="Apply the valid lines even if some are invalid.",
            )
        report = actions.add_parser("report", help="The scan list of an offer.")
        report.add_argument("--offer", type=int, required=True, help="Offer id.")
        report.add_argument("--format", choices=["csv", "json"], default="csv")
        report.add_argument("--output", help="A file to write (default: stdout).")
        status = actions.add_parser("status", help="A track's usage and history.")
        status.add_argument("--isrc", required=True, help="The track's ISRC.")

    def handle(self, *args, action: str, **options) -> str | None:
        if action == "report":
            return self.report(options["offer"], options["format"], options["output"])
        if action == "status":
            return self.status(options["isrc"])
        return self.change(action, **options)

    # opt-out and opt-in

    def change(self, action: str, *, offer: int, dry_run: bool, **options) -> None:
        offer = self.get_offer(offer)
        lines = self.read_lines(options)
        checked = self.check_lines(offer, lines)
        for problem in checked.problems:
            self.stderr.write(problem)
        if checked.problems and not options["skip_invalid"]:
            raise CommandError(
                f"Nothing changed: {len(checked.problems)} invalid line(s). Fix them "
                "or pass --skip-invalid to apply the others."
            )
        apply = services.opt_out if action == "opt-out" else services.opt_in
        result = apply(
            offer=offer,
            tracks=checked.track_ids,
            source=Source.COMMAND,
            dry_run=dry_run,
        )
        done, already = (
            ("opted out", "already opted out")
            if action == "opt-out"
            else ("opted in", "already scanned")
        )
        summary = (
            f"{done} {len(result.changed)}, {already} {len(result.unchanged)}, "
            f"unknown {checked.unknown}, malformed {checked.malformed}, "
            f"outside the offer {checked.outside}"
        )
        if dry_run:
            summary = f"Dry run, nothing changed: would have {summary}"
        self.stdout.write(summary)
        if checked.problems:
            raise CommandError(f"{len(checked.problems)} invalid line(s) skipped.")

    def get_offer(self, offer_id: int) -> Offer:
        offer = Offer.objects.filter(pk=offer_id).first()
        if offer is None:
            raise CommandError(f"There is no offer {offer_id}.")
        return offer

    def read_lines(self, options: dict) -> list[tuple[str, str]]:
        """Return (where, text) for each ISRC given, skipping blanks and #."""
        given = [options["isrc"], options["isrc_file"], options["stdin"]]
        if sum(bool(source) for source in given) != 1:
            raise CommandError("Give the ISRCs in one way: --isrc, --isrc-file or -.")
        if options["isrc"]:
            return [
                (f"argument {number}", value)
                for number, value in enumerate(options["isrc"], start=1)
            ]
        if options["stdin"]:
            return numbered(sys.stdin)
        try:
            with open(options["isrc_file"], encoding="utf-8") as lines:
                return numbered(lines)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['isrc_file']}: {exc}") from exc

    def check_lines(self, offer: Offer, lines: list[tuple[str, str]]) -> Checked:
        checked = Checked()
        wanted: dict[str, str] = {}
        for where, text in lines:
            isrc = normalize_isrc(text)
            try:
                validate_isrc(isrc)
            except ValidationError:
                checked.malformed += 1
                checked.problems.append(f"{where}: {text!r} is not an ISRC.")
                continue
            wanted.setdefault(isrc, where)
        progress = (
            ProgressBar(self.stderr, len(wanted), "ISRCs checked")
            if len(lines) > PROGRESS_THRESHOLD
            else None
        )
        found = {}
        isrcs = list(wanted)
        for start in range(0, len(isrcs), LOOKUP_BATCH):
            batch = isrcs[start : start + LOOKUP_BATCH]
            found.update(
                (isrc, (pk, product_id))
                for isrc, pk, product_id in Track.objects.filter(
                    isrc_code__in=batch
                ).values_list("isrc_code", "pk", "product_id")
            )
            if progress:
                progress.advance(len(batch))
        for isrc, where in wanted.items():
            if isrc not in found:
                checked.unknown += 1
                checked.problems.append(f"{where}: no track has the ISRC {isrc}.")
            elif found[isrc][1] != offer.product_id:
                checked.outside += 1
                checked.problems.append(
                    f"{where}: {isrc} is on product {found[isrc][1]}, not on the "
                    f"offer's product {offer.product_id}."
                )
            else:
                checked.track_ids.append(found[isrc][0])
        return checked

    # report

    def report(self, offer_id: int, fmt: str, output: str | None) -> None:
        """Stream the scan list: rows are written as the database sends them."""
        offer = self.get_offer(offer_id)
        rows = report_rows(offer)
        if output is None:
            # The report writes its own line endings.
            self.stdout.ending = ""
            write_report(rows, fmt, self.stdout)
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                write_report(rows, fmt, stream)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc

    # status

    def status(self, raw_isrc: str) -> None:
        isrc = normalize_isrc(raw_isrc)
        track = Track.objects.select_related("product").filter(isrc_code=isrc).first()
        if track is None:
            raise CommandError(f"No track has the ISRC {isrc}.")
        product = track.product
        self.stdout.write(
            f"{track.isrc_code} {track.title!r}, product {product.pk} "
            f"{product.name!r} (UPC {product.upc_code})"
        )
        self.stdout.write("Effective usage by offer:")
        for offer in offers_with_overrides(track):
            overrides = {
                flag: getattr(offer, f"override_{flag}") for flag in USAGE_FLAGS
            }
            usage = effective_usage(offer.usage, overrides)
            flags = ", ".join(
                f"{flag}={'on' if value else 'off'}" for flag, value in usage.items()
            )
            origin = "track override" if overrides["copy_scan"] is not None else "offer"
            labels = "default, " if offer.is_default else ""
            labels += "active" if offer.active else "inactive"
            self.stdout.write(
                f"  offer {offer.pk} ({labels}): {flags} (copy_scan from {origin})"
            )
        self.stdout.write("Copy-scan history (newest first):")
        changes = track.copy_scan_history()
        for change in changes:
            self.stdout.write(
                f"  {change.changed_at:%Y-%m-%d %H:%M:%S} UTC  offer "
                f"{change.offer_number}  {change.describe()}  by {change.actor} "
                f"({change.source})"
            )
        if not changes:
            self.stdout.write("  none")


def numbered(lines: TextIO) -> list[tuple[str, str]]:
    return [
        (f"line {number}", line.strip())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def report_rows(offer: Offer) -> Iterator[dict]:
    """Yield one row per track of the offer's product, without loading them all.

    On PostgreSQL the rows come from a server-side cursor in chunks.
    """
    tracks = (
        Track.objects.in_offer(offer)
        .order_by("volume_number", "track_number", "pk")
        .values_list(
            "isrc_code",
            "title",
            "volume_number",
            "track_number",
            "effective_copy_scan",
            "copy_scan_override",
        )
    )
    for isrc, title, volume, number, scanned, override in tracks.iterator(
        chunk_size=2000
    ):
        yield {
            "isrc": isrc,
            "title": title,
            "volume": volume,
            "track_number": number,
            "copy_scan": scanned,
            "source": "offer default" if override is None else "track override",
        }


REPORT_COLUMNS = ["isrc", "title", "volume", "track_number", "copy_scan", "source"]


def write_report(rows: Iterator[dict], fmt: str, stream: TextIO) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "copy_scan": str(row["copy_scan"]).lower()})
        return
    stream.write("[")
    for position, row in enumerate(rows):
        stream.write(",\n" if position else "\n")
        stream.write(json.dumps(row))
    stream.write("\n]\n")


def offers_with_overrides(track: Track):
    """Return the offers of the track's product with its overrides, one query."""
    return (
        Offer.objects.filter(product_id=track.product_id)
        .annotate(
            override_row=FilteredRelation(
                "track_offers", condition=Q(track_offers__track_id=track.pk)
            ),
            **{f"override_{flag}": F(f"override_row__{flag}") for flag in USAGE_FLAGS},
        )
        .order_by("-is_default", "pk")
    )
