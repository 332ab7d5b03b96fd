from django.core.exceptions import ValidationError
from django.db import models

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from tracks.models import Track


class TrackOffer(models.Model):
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
        ]

    def __str__(self) -> str:
        return f"Track offer {self.pk} (track {self.track_id}, offer {self.offer_id})"

    @property
    def usage(self) -> dict[str, bool]:
        """Return only the flags this track offer overrides."""
        return {
            flag: getattr(self, flag)
            for flag in USAGE_FLAGS
            if getattr(self, flag) is not None
        }

    def clean(self) -> None:
        if (
            self.track_id
            and self.offer_id
            and self.track.product_id != self.offer.product_id
        ):
            raise ValidationError(
                {"track": "The track must belong to the offer's product."}
            )
