"""Copy-scan changes of many tracks at once, made from the admin.

The changes themselves are ``trackoffers.services.opt_out``/``opt_in``,
called once per offer; this module groups the selection by offer, runs them
in one transaction, and writes the admin history: one entry per track offer
added, changed or deleted, worded like the copy-scan history.

Queries: one to load the offers, then per offer the service's few queries
and one to find the track offers it left, then one insert for the whole
history. None per track.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.http import HttpRequest

from offers.models import Offer
from trackoffers import services
from trackoffers.admin_support import describe_copy_scan
from trackoffers.history import Source
from trackoffers.models import TrackOffer

# Offer id -> {track id: the id of its track offer there, or None}.
Plan = dict[int, dict[int, int | None]]

# The services run once per offer, about 20 ms each on PostgreSQL: a
# selection spread over thousands of offers would outlast the request.
MAX_OFFERS = 500


class TooManyOffers(ValueError):
    """A bulk change would touch more offers than one request can."""

    def __init__(self, offers: int) -> None:
        super().__init__(
            f"The selection spans {offers} offers; a bulk change handles at "
            f"most {MAX_OFFERS} at a time. Narrow the list (search a UPC or "
            "an ISRC prefix, or filter) and run it again."
        )


def check_size(offers: int) -> None:
    """Raise TooManyOffers, before any work, when there are too many."""
    if offers > MAX_OFFERS:
        raise TooManyOffers(offers)


@dataclass
class Outcome:
    """How many tracks a bulk change changed, and in how many offers."""

    changed: int = 0
    unchanged: int = 0
    offers: int = 0


def report(outcome: Outcome, *, scanned: bool) -> str:
    """Return what a bulk change did, in a sentence for staff."""
    tracks = "track" if outcome.changed == 1 else "tracks"
    offers = "offer" if outcome.offers == 1 else "offers"
    if scanned:
        done = f"Re-enabled copy scan for {outcome.changed} {tracks}"
        already = "already scanned"
    else:
        done = f"Opted {outcome.changed} {tracks} out of copy scan"
        already = "already opted out"
    if outcome.changed:
        done += f" in {outcome.offers} {offers}"
    if outcome.unchanged:
        done += f"; {outcome.unchanged} {already}"
    return done + "."


def plan_for_track_offers(track_offers: Iterable[tuple[int, int, int]]) -> Plan:
    """Group (track offer id, offer id, track id) rows by offer."""
    plan: Plan = {}
    for pk, offer_id, track_id in track_offers:
        plan.setdefault(offer_id, {})[track_id] = pk
    check_size(len(plan))
    return plan


def plan_for_tracks(tracks_by_offer: dict[int, list[int]]) -> Plan:
    """Look up the track offers that already exist, one query per offer."""
    check_size(len(tracks_by_offer))
    plan: Plan = {}
    for offer_id, track_ids in tracks_by_offer.items():
        existing = {
            track_id: pk
            for batch in _batches(track_ids)
            for track_id, pk in TrackOffer.objects.filter(
                offer_id=offer_id, track_id__in=batch
            )
            .order_by()
            .values_list("track_id", "pk")
        }
        plan[offer_id] = {track_id: existing.get(track_id) for track_id in track_ids}
    return plan


def change_copy_scan(request: HttpRequest, plan: Plan, *, scanned: bool) -> Outcome:
    """Send the planned tracks to copy scan, or keep them out, by offer.

    All or nothing: raises ``services.TracksOutsideOffer`` (changing nothing)
    when a track is not on its offer's product.
    """
    change = services.opt_in if scanned else services.opt_out
    message = describe_copy_scan(was_scanned=not scanned, is_scanned=scanned)
    outcome = Outcome()
    entries: list[LogEntry] = []
    with transaction.atomic():
        offers = Offer.objects.in_bulk(list(plan))
        for offer_id, tracks in plan.items():
            if offer_id not in offers:
                continue
            result = change(
                offer=offers[offer_id],
                tracks=list(tracks),
                by=request.user,
                source=Source.ADMIN,
            )
            outcome.changed += len(result.changed)
            outcome.unchanged += len(result.unchanged)
            outcome.offers += bool(result.changed)
            entries += _history(request, offer_id, tracks, result.changed, message)
        LogEntry.objects.bulk_create(entries)
    return outcome


def _history(
    request: HttpRequest,
    offer_id: int,
    before: dict[int, int | None],
    changed: list[int],
    message: str,
) -> Iterator[LogEntry]:
    if not changed:
        return
    after = dict(
        row
        for batch in _batches(changed)
        for row in TrackOffer.objects.filter(offer_id=offer_id, track_id__in=batch)
        .order_by()
        .values_list("track_id", "pk")
    )
    content_type = ContentType.objects.get_for_model(TrackOffer)
    for track_id in changed:
        if before[track_id] is None:
            flag, pk = ADDITION, after[track_id]
        elif track_id in after:
            flag, pk = CHANGE, after[track_id]
        else:
            flag, pk = DELETION, before[track_id]
        # Built, not loaded: str() of a track offer needs only these ids.
        track_offer = TrackOffer(pk=pk, track_id=track_id, offer_id=offer_id)
        yield LogEntry(
            user_id=request.user.pk,
            content_type=content_type,
            object_id=str(pk),
            object_repr=str(track_offer)[:200],
            action_flag=flag,
            change_message=message,
        )


def _batches(ids: list[int]) -> Iterator[list[int]]:
    # SQLite refuses statements with more parameters than its limit; one is
    # kept for the offer id.
    limit = connection.features.max_query_params
    size = limit - 1 if limit else max(len(ids), 1)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
