from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from offers.querysets import OfferQuerySet
from offers.usage import USAGE_FLAGS
from trackoffers.history import Source
from trackoffers.loading import FastLoading
from tracks.models import Product, Track
from tracks.querysets import TrackQuerySet

if TYPE_CHECKING:
    from trackoffers.services import CopyScanResult


class Offer(FastLoading, models.Model):
    """How a product is offered to digital services.

    The usage flags apply to every track of the product unless a track offer
    overrides them for one track.
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="offers"
    )
    release_date = models.DateField(null=True, blank=True)
    preorder_date = models.DateField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    download = models.BooleanField(default=True)
    on_demand_stream = models.BooleanField(default=True)
    non_interactive_stream = models.BooleanField(default=True)
    copy_scan = models.BooleanField(
        default=True, help_text="Send the product's tracks to fingerprint scanning."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_default=True),
                name="offer_one_default_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of {self.product_id}"

    @property
    def usage(self) -> dict[str, bool]:
        return {flag: getattr(self, flag) for flag in USAGE_FLAGS}

    def scanned_tracks(self) -> "TrackQuerySet":
        """Return the tracks of this offer that go to fingerprint scanning.

        Includes the tracks with no track offer. Example:
        ``offer.scanned_tracks().values_list("isrc_code", flat=True)``
        """
        return Track.objects.scanned_in(self)

    def opted_out_tracks(self) -> "TrackQuerySet":
        """Return the tracks of this offer kept out of fingerprint scanning."""
        return Track.objects.opted_out_in(self)

    def opt_out(
        self,
        tracks: Iterable[Track | int],
        *,
        by: AbstractBaseUser | None = None,
        source: str = Source.SHELL,
    ) -> "CopyScanResult":
        """Keep ``tracks`` out of fingerprint scanning in this offer.

        One transaction and a fixed number of queries; see
        ``trackoffers.services.opt_out``. Example:
        ``offer.opt_out(Track.objects.filter(isrc_code="USRC17607839"), by=me)``
        """
        from trackoffers import services

        return services.opt_out(offer=self, tracks=tracks, by=by, source=source)

    def opt_in(
        self,
        tracks: Iterable[Track | int],
        *,
        by: AbstractBaseUser | None = None,
        source: str = Source.SHELL,
    ) -> "CopyScanResult":
        """Send ``tracks`` to fingerprint scanning in this offer again.

        See ``trackoffers.services.opt_in``. Example:
        ``offer.opt_in(offer.opted_out_tracks(), by=me)``
        """
        from trackoffers import services

        return services.opt_in(offer=self, tracks=tracks, by=by, source=source)
