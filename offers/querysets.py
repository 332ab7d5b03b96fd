"""Reads on offers named for what operators ask about."""

from django.db.models import F, FilteredRelation, Q, QuerySet

from offers.usage import USAGE_FLAGS, effective_flag


class OfferQuerySet(QuerySet):
    def with_usage_of(self, track) -> "OfferQuerySet":
        """Annotate each offer with what applies to ``track`` in it.

        Adds ``track_<flag>`` (the track offer's override, None where it
        inherits or has no track offer) and ``effective_<flag>`` for every
        usage flag, in the same query: no query per offer. Example:
        ``Offer.objects.filter(product=track.product_id).with_usage_of(track)``
        """
        track_id = getattr(track, "pk", track)
        offers = self.annotate(
            track_row=FilteredRelation(
                "track_offers", condition=Q(track_offers__track_id=track_id)
            )
        )
        return offers.annotate(
            **{f"track_{flag}": F(f"track_row__{flag}") for flag in USAGE_FLAGS},
            **{
                f"effective_{flag}": effective_flag(
                    override=f"track_row__{flag}", offer=flag
                )
                for flag in USAGE_FLAGS
            },
        )
