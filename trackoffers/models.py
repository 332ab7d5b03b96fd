from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router
from django.utils import timezone

from offers.models import Offer
from offers.usage import USAGE_FLAGS, effective_usage
from trackoffers.history import Source, current_actor
from trackoffers.loading import FastLoading
from tracks.models import Track


class TrackOfferQuerySet(models.QuerySet):
    def opted_out(self) -> "TrackOfferQuerySet":
        """Return the track offers that opt their track out of copy scan."""
        # IS NOT NULL is implied, but PostgreSQL estimates "NOT copy_scan"
        # as if the column had no nulls (most rows are): said outright, it
        # lets the planner use the partial index on set overrides.
        return self.filter(copy_scan=False, copy_scan__isnull=False)

    def with_offer_usage(self) -> "TrackOfferQuerySet":
        """Annotate each row with its offer's usage flags (one join, no query).

        ``TrackOffer.effective_usage`` then needs no query of its own.
        """
        return self.annotate(
            **{f"offer_{flag}": models.F(f"offer__{flag}") for flag in USAGE_FLAGS}
        )


class TrackOffer(FastLoading, models.Model):
    """A per-track override inside an offer.

    Each usage flag is a nullable column: null inherits the offer's flag.
    ``copy_scan=False`` opts the track out of fingerprint scanning; a track
    with no track offer is scanned whenever its offer is.
    """

    # The composite indexes below start with these columns, so the foreign
    # keys need no index of their own.
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="track_offers", db_index=False
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="track_offers", db_index=False
    )
    download = models.BooleanField(null=True, blank=True)
    on_demand_stream = models.BooleanField(null=True, blank=True)
    non_interactive_stream = models.BooleanField(null=True, blank=True)
    copy_scan = models.BooleanField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackOfferQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "offer"], name="trackoffer_one_per_track_and_offer"
            ),
        ]
        indexes = [
            models.Index(fields=["offer", "id"], name="trackoffer_offer_id"),
            models.Index(fields=["track", "id"], name="trackoffer_track_id"),
            # The admin lists overrides newest first, filtered by their
            # value; most rows inherit, so only the overrides are indexed.
            models.Index(
                fields=["copy_scan", "id"],
                name="trackoffer_copy_scan_set",
                condition=models.Q(copy_scan__isnull=False),
            ),
            # filter[copy-scan] within an offer: counted and paged in id
            # order from the index alone. Without it PostgreSQL combines the
            # two indexes above and reads every override of the table.
            models.Index(
                fields=["offer", "copy_scan", "id"],
                name="trackoffer_offer_copy_scan",
                condition=models.Q(copy_scan__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Track offer {self.pk} (track {self.track_id}, offer {self.offer_id})"

    def save(self, *args, **kwargs) -> None:
        previous = getattr(self, "_saved_copy_scan", None)
        # While set, the change is still to be recorded; _do_update records
        # it with its UPDATE where the database can, and clears it.
        self._unrecorded_change = (previous,) if previous != self.copy_scan else None
        try:
            super().save(*args, **kwargs)
            unrecorded = self._unrecorded_change
        finally:
            self._unrecorded_change = None
        if unrecorded is not None:
            CopyScanChange.record(self, previous=previous, current=self.copy_scan)
        self._saved_copy_scan = self.copy_scan

    def _do_update(
        self, base_qs, using, pk_val, values, update_fields, forced_update
    ) -> bool:
        """Update the row; on PostgreSQL, record a copy-scan change with it.

        One statement instead of two: the UPDATE runs inside the history
        INSERT. Where that cannot be done (another database, SQL
        expressions among the values), Django updates and save() records.
        """
        unrecorded = getattr(self, "_unrecorded_change", None)
        connection = connections[using]
        if (
            unrecorded is None
            or connection.vendor != "postgresql"
            or self._meta.select_on_save
            or not values
            or any(hasattr(value, "resolve_expression") for *_, value in values)
        ):
            return super()._do_update(
                base_qs, using, pk_val, values, update_fields, forced_update
            )
        columns = {
            field.column: field.get_db_prep_save(value, connection)
            for field, _, value in values
        }
        change = CopyScanChange.record(
            self,
            previous=unrecorded[0],
            current=self.copy_scan,
            update=columns,
            using=using,
        )
        if change is None:
            # No such row: Django inserts it, and save() records the change.
            return False
        self._unrecorded_change = None
        return True

    def delete(self, *args, **kwargs):
        if self.copy_scan is not None:
            CopyScanChange.record(self, previous=self.copy_scan, current=None)
        return super().delete(*args, **kwargs)

    @property
    def usage(self) -> dict[str, bool]:
        """Return only the flags this track offer overrides."""
        return {
            flag: getattr(self, flag)
            for flag in USAGE_FLAGS
            if getattr(self, flag) is not None
        }

    @classmethod
    def from_db(cls, db, field_names, values) -> "TrackOffer":
        instance = super().from_db(db, field_names, values)
        # Remembered so that save() knows whether copy scan changed without
        # reading the row again.
        instance._saved_copy_scan = instance.__dict__.get("copy_scan")
        return instance

    @property
    def offer_usage(self) -> dict[str, bool]:
        """Return the offer's flags, from annotations when the query had them.

        Without ``with_offer_usage()`` this loads the offer (one query).
        """
        if hasattr(self, "offer_copy_scan"):
            return {flag: getattr(self, f"offer_{flag}") for flag in USAGE_FLAGS}
        return self.offer.usage

    @property
    def effective_usage(self) -> dict[str, bool]:
        """Return the usage that applies to the track in this offer."""
        return effective_usage(self.offer_usage, self.usage)

    def opt_out(self) -> None:
        """Keep this track out of fingerprint scanning in this offer."""
        self.copy_scan = False
        self.save(update_fields=["copy_scan", "updated_at"])

    def opt_in(self) -> None:
        """Send this track to fingerprint scanning in this offer.

        Removes the override where the offer scans (the documented way to
        re-enable), and sets it where the offer itself does not scan.
        """
        self.copy_scan = None if self.offer_usage["copy_scan"] else True
        self.save(update_fields=["copy_scan", "updated_at"])

    def clean(self) -> None:
        if (
            self.track_id
            and self.offer_id
            and self.track.product_id != self.offer.product_id
        ):
            raise ValidationError(
                {"track": "The track must belong to the offer's product."}
            )


class CopyScanChange(models.Model):
    """One change of a track's copy scan in an offer. Append-only.

    Kept when the track offer it describes is deleted: the track, offer and
    ISRC are copied here, and the foreign keys are cleared rather than the
    record removed if a track or offer goes away.
    """

    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, related_name="copy_scan_changes"
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, related_name="copy_scan_changes"
    )
    isrc_code = models.CharField("ISRC", max_length=12)
    offer_number = models.BigIntegerField("offer id")
    track_offer_number = models.BigIntegerField("track offer id", null=True)
    previous_override = models.BooleanField(null=True)
    new_override = models.BooleanField(null=True)
    was_scanned = models.BooleanField()
    is_scanned = models.BooleanField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="copy_scan_changes",
    )
    actor = models.CharField(max_length=150)
    source = models.CharField(max_length=10, choices=Source.CHOICES)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["track", "-changed_at"], name="copyscan_track"),
            # The admin searches history by exact ISRC or ISRC prefix; the
            # pattern operator class lets PostgreSQL use the index for
            # LIKE 'USRC1%' (other databases ignore it).
            models.Index(
                fields=["isrc_code"],
                name="copyscan_isrc",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.isrc_code} in offer {self.offer_number}: {self.describe()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Copy-scan history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Copy-scan history is append-only.")

    def describe(self) -> str:
        """Return the change as staff read it: "copy_scan: scanned -> opted out".

        A change of the override that leaves the effective value as it was
        (setting ``true`` where the offer scans anyway) says so.
        """
        before, after = scan_label(self.was_scanned), scan_label(self.is_scanned)
        if before != after:
            return f"copy_scan: {before} -> {after}"
        previous, new = (
            override_label(self.previous_override),
            override_label(self.new_override),
        )
        return f"copy_scan: stays {after}; track override {previous} -> {new}"

    @classmethod
    def record(
        cls,
        track_offer: TrackOffer,
        *,
        previous: bool | None,
        current: bool | None,
        update: dict[str, object] | None = None,
        using: str | None = None,
    ) -> "CopyScanChange | None":
        """Record a change of one track offer's copy-scan override.

        One INSERT, which reads the ISRC and the offer's flag itself. It is
        written out once per database vendor: compiled by the ORM on every
        call, its subqueries cost a third of a PATCH's CPU. Raises
        IntegrityError if the track or offer does not exist.

        On PostgreSQL, ``update`` (column: database value) also updates the
        track offer's row in the same statement; nothing is recorded, and
        None returned, if there is no such row.
        """
        actor = current_actor()
        user = actor.user if actor.user and actor.user.is_authenticated else None
        change = cls(
            changed_at=timezone.now(),
            track_id=track_offer.track_id,
            offer_id=track_offer.offer_id,
            offer_number=track_offer.offer_id,
            track_offer_number=track_offer.pk,
            previous_override=previous,
            new_override=current,
            user=user,
            actor=actor.name,
            source=actor.source,
        )
        connection = connections[using or router.db_for_write(cls)]
        changed_at = cls._meta.get_field("changed_at").get_db_prep_value(
            change.changed_at, connection
        )
        parameters = {
            "changed_at": changed_at,
            "track": change.track_id,
            "offer": change.offer_id,
            "track_offer": change.track_offer_number,
            "previous": previous,
            "current": current,
            "user": change.user_id,
            "actor": change.actor,
            "source": change.source,
        }
        if update is None:
            statement = _record_sql(connection)
        else:
            statement = _record_with_update_sql(connection, tuple(update))
            parameters.update(
                {
                    f"set_{position}": value
                    for position, value in enumerate(update.values())
                }
            )
        with connection.cursor() as cursor:
            cursor.execute(statement, parameters)
            row = cursor.fetchone()
        if row is None and update is not None:
            return None
        if row is None:
            raise IntegrityError(
                f"No track {change.track_id} or offer {change.offer_id} to record."
            )
        change.pk, change.isrc_code = row[0], row[1]
        # SQLite returns booleans as integers.
        change.was_scanned, change.is_scanned = bool(row[2]), bool(row[3])
        change._state.adding = False
        change._state.db = connection.alias
        return change


# By database vendor, and for the UPDATE with it by the columns it sets.
_RECORD_SQL: dict[str | tuple[str, ...], str] = {}


def _record_sql(connection) -> str:
    """Return the INSERT of ``CopyScanChange.record``, for this vendor."""
    if connection.vendor not in _RECORD_SQL:
        _RECORD_SQL[connection.vendor] = _write_record_sql(connection.ops.quote_name)
    return _RECORD_SQL[connection.vendor]


def _record_with_update_sql(connection, columns: tuple[str, ...]) -> str:
    """Return the UPDATE of ``columns`` and the history INSERT, in one statement.

    The UPDATE is a data-modifying WITH query (PostgreSQL): the INSERT reads
    its one row, so no row updated means nothing recorded. A missing track
    or offer leaves the ISRC null, which the NOT NULL column refuses.
    """
    key = (connection.vendor, *columns)
    if key not in _RECORD_SQL:
        quote = connection.ops.quote_name
        assignments = ", ".join(
            f"{quote(column)} = %(set_{position})s"
            for position, column in enumerate(columns)
        )
        _RECORD_SQL[key] = (
            f"WITH changed AS (UPDATE {quote(TrackOffer._meta.db_table)}"
            f" SET {assignments} WHERE {quote(TrackOffer._meta.pk.column)}"
            " = %(track_offer)s RETURNING 1)"
            + _write_record_sql(
                quote,
                f" FROM changed LEFT JOIN {quote(Track._meta.db_table)} t"
                " ON t.id = %(track)s"
                f" LEFT JOIN {quote(Offer._meta.db_table)} o ON o.id = %(offer)s",
            )
        )
    return _RECORD_SQL[key]


def _write_record_sql(quote, rows_from: str = "") -> str:
    """Return the history INSERT; ``rows_from`` replaces its FROM clause."""

    def column(name: str) -> str:
        return quote(CopyScanChange._meta.get_field(name).column)

    columns = ", ".join(
        column(name)
        for name in (
            "changed_at",
            "track",
            "offer",
            "isrc_code",
            "offer_number",
            "track_offer_number",
            "previous_override",
            "new_override",
            "was_scanned",
            "is_scanned",
            "user",
            "actor",
            "source",
        )
    )
    return (
        f"INSERT INTO {quote(CopyScanChange._meta.db_table)} ({columns})"
        " SELECT %(changed_at)s, %(track)s, %(offer)s, t.isrc_code, %(offer)s,"
        " %(track_offer)s, %(previous)s, %(current)s,"
        " COALESCE(%(previous)s, o.copy_scan), COALESCE(%(current)s, o.copy_scan),"
        " %(user)s, %(actor)s, %(source)s"
        + (
            rows_from
            or f" FROM {quote(Track._meta.db_table)} t,"
            f" {quote(Offer._meta.db_table)} o"
            " WHERE t.id = %(track)s AND o.id = %(offer)s"
        )
        + f" RETURNING {quote('id')}, {column('isrc_code')}, {column('was_scanned')},"
        f" {column('is_scanned')}"
    )


def scan_label(scanned: bool) -> str:
    return "scanned" if scanned else "opted out"


def override_label(override: bool | None) -> str:
    return "inherit" if override is None else scan_label(override)
