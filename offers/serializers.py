from rest_framework import serializers

from jsonapi.relations import LinksOnlyField, ResourceLinkField, TypedRelatedField
from jsonapi.serializers import ResourceSerializer
from offers.fields import UsageField
from offers.models import Offer
from tracks.models import Product


class OfferSerializer(ResourceSerializer):
    url = ResourceLinkField(view_name="offer-detail")
    usage = UsageField(nullable=False)
    product = TypedRelatedField(
        "products",
        queryset=Product.objects.all(),
        self_link_view_name="offer-relationships",
        related_link_view_name="offer-related",
    )
    track_offers = LinksOnlyField(
        "track-offers",
        self_link_view_name="offer-relationships",
        related_link_view_name="offer-related",
    )
    included_serializers = {"product": "tracks.serializers.ProductSerializer"}

    class Meta:
        model = Offer
        resource_name = "offers"
        fields = [
            "url",
            "release_date",
            "preorder_date",
            "is_default",
            "active",
            "usage",
            "created_at",
            "updated_at",
            "product",
            "track_offers",
        ]
        validators = []

    def validate(self, attrs: dict) -> dict:
        release = attrs.get(
            "release_date", getattr(self.instance, "release_date", None)
        )
        preorder = attrs.get(
            "preorder_date", getattr(self.instance, "preorder_date", None)
        )
        if release and preorder and preorder > release:
            message = "The preorder date must be on or before the release date."
            raise serializers.ValidationError({"preorder_date": message})
        return attrs
