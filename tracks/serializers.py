from rest_framework import serializers

from jsonapi.relations import LinksOnlyField, ResourceLinkField, TypedRelatedField
from jsonapi.serializers import ResourceSerializer
from tracks.codes import normalize_isrc, validate_isrc, validate_upc
from tracks.models import Product, Track


class ProductSerializer(ResourceSerializer):
    url = ResourceLinkField(view_name="product-detail")
    tracks = LinksOnlyField(
        "tracks",
        self_link_view_name="product-relationships",
        related_link_view_name="product-related",
    )
    offers = LinksOnlyField(
        "offers",
        self_link_view_name="product-relationships",
        related_link_view_name="product-related",
    )

    class Meta:
        model = Product
        resource_name = "products"
        fields = [
            "url",
            "name",
            "upc_code",
            "release_date",
            "created_at",
            "updated_at",
            "tracks",
            "offers",
        ]
        # Uniqueness is left to the database: a clash is answered with a 409
        # that names the existing product, also when two requests race.
        extra_kwargs = {"upc_code": {"validators": [validate_upc]}}


class IsrcField(serializers.CharField):
    """An ISRC, accepted with hyphens and in any case, stored normalized."""

    def to_internal_value(self, data) -> str:
        return normalize_isrc(super().to_internal_value(data))


class TrackSerializer(ResourceSerializer):
    url = ResourceLinkField(view_name="track-detail")
    isrc_code = IsrcField(max_length=20, validators=[validate_isrc])
    product = TypedRelatedField(
        "products",
        queryset=Product.objects.all(),
        self_link_view_name="track-relationships",
        related_link_view_name="track-related",
    )
    track_offers = LinksOnlyField(
        "track-offers",
        self_link_view_name="track-relationships",
        related_link_view_name="track-related",
    )
    included_serializers = {"product": "tracks.serializers.ProductSerializer"}

    class Meta:
        model = Track
        resource_name = "tracks"
        fields = [
            "url",
            "title",
            "isrc_code",
            "track_number",
            "volume_number",
            "artist",
            "length",
            "created_at",
            "updated_at",
            "product",
            "track_offers",
        ]
        validators = []
