"""Reads on tracks named for what operators ask about."""

import re

from django.apps import apps
from django.db.models import F, FilteredRelation, Q, QuerySet, Subquery

from offers.usage import effective_flag
from tracks.codes import ISRC_PATTERN, UPC_PATTERN, normalize_isrc

# The start of an ISRC: the two-letter country code, then up to nine more
# letters or digits.
ISRC_PREFIX_PATTERN = re.compile(r"[A-Z]{2}[A-Z0-9]{0,9}")


class TrackQuerySet(QuerySet):
    def search(self, term: str) -> "TrackQuerySet":
        """Return the tracks a person typing ``term`` is looking for.

        A full ISRC (hyphens and case ignored) matches exactly, 12 or 13
        digits match the product's UPC, and anything else matches titles
        containing it, or ISRCs starting with it when it can start an ISRC.
        Each form is served by an index on PostgreSQL: the unique ISRC and
        UPC indexes, the ISRC's pattern index for prefixes (ISRCs are stored
        upper-case, so a case-sensitive LIKE can use it) and a trigram index
        on titles. Example: ``Track.objects.search("us-rc1-76")``
        """
        term = term.strip()
        if not term:
            return self
        code = normalize_isrc(term)
        if UPC_PATTERN.fullmatch(code):
            return self.filter(product__upc_code=code)
        if ISRC_PATTERN.fullmatch(code):
            return self.filter(isrc_code=code)
        matches = Q(title__icontains=term)
        if ISRC_PREFIX_PATTERN.fullmatch(code):
            matches |= Q(isrc_code__startswith=code)
        return self.filter(matches)

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
