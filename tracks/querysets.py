"""Reads on tracks named for what operators ask about."""

from django.apps import apps
from django.db.models import F, FilteredRelation, Q, QuerySet, Subquery

from offers.usage import effective_flag


class TrackQuerySet(QuerySet):
    def in_offer(self, offer) -> "TrackQuerySet":
        """Return the tracks of an offer's product, with their copy scan there.

        Each track is annotated with ``effective_copy_scan`` (bool) and
        ``copy_scan_override`` (bool, or None where the offer's flag applies),
        computed in the same query: no query per track.

        Example: ``Track.objects.in_offer(offer).filter(effective_copy_scan=False)``
        """
        offer_id = getattr(offer, "pk", offer)
        offer_rows = (
            apps.get_model("offers", "Offer").objects.filter(pk=offer_id).order_by()
        )
        return self.filter(
            product_id=Subquery(offer_rows.values("product_id"))
        ).annotate(
            override_row=FilteredRelation(
                "track_offers",
                condition=Q(track_offers__offer_id=offer_id),
            ),
            copy_scan_override=F("override_row__copy_scan"),
            effective_copy_scan=effective_flag(
                override="override_row__copy_scan",
                offer=Subquery(offer_rows.values("copy_scan")),
            ),
        )

    def scanned_in(self, offer) -> "TrackQuerySet":
        """Return the tracks of the offer that go to fingerprint scanning."""
        return self.in_offer(offer).filter(effective_copy_scan=True)

    def opted_out_in(self, offer) -> "TrackQuerySet":
        """Return the tracks of the offer kept out of fingerprint scanning."""
        return self.in_offer(offer).filter(effective_copy_scan=False)
