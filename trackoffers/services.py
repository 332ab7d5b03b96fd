"""Copy-scan changes that touch many tracks at once.

Each function runs one transaction and a fixed number of queries whatever
the number of tracks on PostgreSQL, and records every change in the copy-scan
history. On SQLite, whose statements take at most 999 parameters, Django
splits the inserts into batches (about 70 rows each) and lookups here go by
900 ids, so large changes there cost a few more statements.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from trackoffers.history import Source, acting, current_actor
from trackoffers.models import CopyScanChange, TrackOffer
from tracks.models import Track


class TracksOutsideOffer(ValueError):
    """Some tracks do not exist or are not on the offer's product."""

    def __init__(self, unknown: list[int], outside: list[int]) -> None:
        self.unknown = unknown
        self.outside = outside
        super().__init__(
            f"Unknown tracks: {unknown or 'none'}; tracks of another product: "
            f"{outside or 'none'}."
        )


@dataclass
class CopyScanResult:
    """What a bulk change did (or, in a dry run, would do)."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    create: list[TrackOffer] = field(default_factory=list)
    update: dict[int, list[TrackOffer]] = field(default_factory=dict)
    delete: list[TrackOffer] = field(default_factory=list)
    result: CopyScanResult = field(default_factory=CopyScanResult)


def opt_out(
    *,
    offer: Offer,
    tracks: Iterable[Track | int],
    by: AbstractBaseUser | None = None,
    source: str = Source.SHELL,
    dry_run: bool = False,
) -> CopyScanResult:
    """Keep ``tracks`` out of fingerprint scanning in ``offer``.

    Each track gets a track offer with ``copy_scan`` false, created where it
    has none. Raises TracksOutsideOffer, changing nothing, when a track is
    unknown or belongs to another product.

    Example: ``opt_out(offer=offer, tracks=offer.product.tracks.all(), by=me)``
    """
    return _apply(offer, tracks, want=False, by=by, source=source, dry_run=dry_run)


def opt_in(
    *,
    offer: Offer,
    tracks: Iterable[Track | int],
    by: AbstractBaseUser | None = None,
    source: str = Source.SHELL,
    dry_run: bool = False,
) -> CopyScanResult:
    """Send ``tracks`` to fingerprint scanning in ``offer``.

    Where the offer scans, the copy-scan override is removed, and a track
    offer left overriding nothing is deleted (the documented way to
    re-enable). Where the offer does not scan, ``copy_scan`` is set to true.
    """
    return _apply(offer, tracks, want=True, by=by, source=source, dry_run=dry_run)


def _apply(offer, tracks, *, want: bool, by, source: str, dry_run: bool):
    track_ids = list(dict.fromkeys(getattr(track, "pk", track) for track in tracks))
    with transaction.atomic(), acting(by, source):
        isrcs = _check_tracks(offer, track_ids)
        existing = {
            row.track_id: row
            for batch in _batches(track_ids)
            for row in TrackOffer.objects.select_for_update().filter(
                offer=offer, track_id__in=batch
            )
        }
        plan = _plan(offer, track_ids, existing, want)
        if not dry_run:
            _write(offer, plan, isrcs)
    return plan.result


def _check_tracks(offer: Offer, track_ids: list[int]) -> dict[int, str]:
    """Return the ISRC of each track, or raise if one is not in the offer."""
    rows = {
        pk: (product_id, isrc)
        for batch in _batches(track_ids)
        for pk, product_id, isrc in Track.objects.filter(pk__in=batch).values_list(
            "pk", "product_id", "isrc_code"
        )
    }
    unknown = [pk for pk in track_ids if pk not in rows]
    outside = [pk for pk, (product, _) in rows.items() if product != offer.product_id]
    if unknown or outside:
        raise TracksOutsideOffer(unknown, outside)
    return {pk: isrc for pk, (_, isrc) in rows.items()}


def _plan(offer: Offer, track_ids, existing, want: bool) -> _Plan:
    # The override that gives the wanted effective value: opting out is
    # always explicit; opting in removes the override where the offer scans.
    target = None if want and offer.copy_scan else want
    plan = _Plan()
    for track_id in track_ids:
        row = existing.get(track_id)
        current = row.copy_scan if row else None
        scanned = offer.copy_scan if current is None else current
        if scanned == want:
            plan.result.unchanged.append(track_id)
            continue
        plan.result.changed.append(track_id)
        if row is None:
            plan.create.append(
                TrackOffer(track_id=track_id, offer=offer, copy_scan=target)
            )
        elif target is None and not _other_overrides(row):
            plan.delete.append(row)
        else:
            plan.update.setdefault(target, []).append(row)
    return plan


def _other_overrides(row: TrackOffer) -> bool:
    flags = [getattr(row, flag) for flag in USAGE_FLAGS if flag != "copy_scan"]
    return row.release_date is not None or any(flag is not None for flag in flags)


def _write(offer: Offer, plan: _Plan, isrcs: dict[int, str]) -> None:
    created = TrackOffer.objects.bulk_create(plan.create)
    now = timezone.now()
    for target, rows in plan.update.items():
        for batch in _batches([row.pk for row in rows]):
            TrackOffer.objects.filter(pk__in=batch).update(
                copy_scan=target, updated_at=now
            )
    for batch in _batches([row.pk for row in plan.delete]):
        TrackOffer.objects.filter(pk__in=batch).delete()

    actor = current_actor()
    user = actor.user if actor.user and actor.user.is_authenticated else None
    changes = (
        [(row, None, row.copy_scan) for row in created]
        + [
            (row, row.copy_scan, target)
            for target, rows in plan.update.items()
            for row in rows
        ]
        + [(row, row.copy_scan, None) for row in plan.delete]
    )
    CopyScanChange.objects.bulk_create(
        CopyScanChange(
            track_id=row.track_id,
            offer=offer,
            isrc_code=isrcs[row.track_id],
            offer_number=offer.pk,
            track_offer_number=row.pk,
            previous_override=previous,
            new_override=new,
            was_scanned=offer.copy_scan if previous is None else previous,
            is_scanned=offer.copy_scan if new is None else new,
            user=user,
            actor=actor.name,
            source=actor.source,
        )
        for row, previous, new in changes
    )


def _batches(ids: list[int]) -> Iterable[list[int]]:
    size = 900 if connection.vendor == "sqlite" else max(len(ids), 1)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
