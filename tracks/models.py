from django.core.validators import MinValueValidator
from django.db import models

from offers.usage import effective_usage
from trackoffers.loading import FastLoading
from tracks.codes import normalize_isrc, validate_isrc, validate_upc
from tracks.querysets import TrackQuerySet


class Product(FastLoading, models.Model):
    """A release: an album, EP or single, identified by its UPC."""

    name = models.CharField(max_length=255)
    upc_code = models.CharField(
        "UPC", max_length=13, unique=True, validators=[validate_upc]
    )
    release_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.upc_code})"


class Track(FastLoading, models.Model):
    """A recording on a product, identified by its ISRC."""

    # The (product, volume, number) constraint's index serves lookups by
    # product, so the foreign key needs no index of its own.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="tracks", db_index=False
    )
    title = models.CharField(max_length=255)
    isrc_code = models.CharField(
        "ISRC", max_length=12, unique=True, validators=[validate_isrc]
    )
    track_number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    volume_number = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1)]
    )
    artist = models.CharField(max_length=255, blank=True)
    length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Duration in seconds."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "volume_number", "track_number"],
                name="track_unique_position_in_product",
            ),
            models.CheckConstraint(
                condition=models.Q(track_number__gte=1),
                name="track_number_at_least_1",
            ),
            models.CheckConstraint(
                condition=models.Q(volume_number__gte=1),
                name="track_volume_number_at_least_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.isrc_code})"

    def save(self, *args, **kwargs) -> None:
        self.isrc_code = normalize_isrc(self.isrc_code)
        super().save(*args, **kwargs)

    def effective_usage(self, offer) -> dict[str, bool]:
        """Return the usage that applies to this track in ``offer``.

        The offer's flags with this track's overrides on top; one query for
        the track offer. Example: ``track.effective_usage(offer)["copy_scan"]``
        """
        track_offer = self.track_offers.filter(offer=offer).first()
        overrides = track_offer.usage if track_offer else {}
        return effective_usage(offer.usage, overrides)

    def copy_scan_history(self) -> models.QuerySet:
        """Return every change of this track's copy scan, newest first."""
        return self.copy_scan_changes.all()
