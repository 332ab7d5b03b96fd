from rest_framework import serializers

from jsonapi.relations import ResourceLinkField, TypedRelatedField
from jsonapi.serializers import ResourceSerializer
from offers.fields import UsageField
from offers.models import Offer
from trackoffers.models import TrackOffer
from tracks.models import Track


class TrackOfferSerializer(ResourceSerializer):
    url = ResourceLinkField(view_name="track-offer-detail")
    usage = UsageField(nullable=True)
    effective_usage = serializers.SerializerMethodField()
    track = TypedRelatedField(
        "tracks",
        queryset=Track.objects.all(),
        self_link_view_name="track-offer-relationships",
        related_link_view_name="track-offer-related",
    )
    offer = TypedRelatedField(
        "offers",
        queryset=Offer.objects.all(),
        self_link_view_name="track-offer-relationships",
        related_link_view_name="track-offer-related",
    )
    included_serializers = {
        "track": "tracks.serializers.TrackSerializer",
        "offer": "offers.serializers.OfferSerializer",
    }

    class Meta:
        model = TrackOffer
        resource_name = "track-offers"
        fields = [
            "url",
            "usage",
            "release_date",
            "created_at",
            "updated_at",
            "track",
            "offer",
            "effective_usage",
        ]
        meta_fields = ["effective_usage"]
        # One track offer per (track, offer) is left to the database: a
        # clash, even between racing requests, becomes a 409 naming the
        # existing track offer.
        validators = []

    def get_effective_usage(self, track_offer: TrackOffer) -> dict[str, bool]:
        """The usage that applies, rendered in the resource's ``meta``."""
        return track_offer.effective_usage

    def validate(self, attrs: dict) -> dict:
        track = attrs.get("track")
        offer = attrs.get("offer")
        if track and offer and track.product_id != offer.product_id:
            raise serializers.ValidationError(
                {
                    "track": (
                        f"Track {track.pk} belongs to product {track.product_id}, "
                        f"but offer {offer.pk} is for product {offer.product_id}: "
                        "a track offer needs a track of the offer's product."
                    )
                }
            )
        return attrs
