from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import issue_token
from jsonapi.docs import DocsView, SchemaView
from jsonapi.routes import resource_urls
from jsonapi.views import Relationship, not_found
from offers.models import Offer
from offers.views import OfferViewSet
from trackoffers.models import TrackOffer
from trackoffers.views import TrackOfferViewSet
from tracks.models import Product, Track
from tracks.views import ProductViewSet, TrackViewSet

api_patterns = [
    *resource_urls(
        "products",
        ProductViewSet,
        {
            "tracks": Relationship(Product, TrackViewSet, "product_id", many=True),
            "offers": Relationship(Product, OfferViewSet, "product_id", many=True),
        },
    ),
    *resource_urls(
        "tracks",
        TrackViewSet,
        {
            "product": Relationship(Track, ProductViewSet, "product_id"),
            "track-offers": Relationship(
                Track, TrackOfferViewSet, "track_id", many=True
            ),
        },
    ),
    *resource_urls(
        "offers",
        OfferViewSet,
        {
            "product": Relationship(Offer, ProductViewSet, "product_id"),
            "track-offers": Relationship(
                Offer, TrackOfferViewSet, "offer_id", many=True
            ),
        },
    ),
    *resource_urls(
        "track-offers",
        TrackOfferViewSet,
        {
            "track": Relationship(TrackOffer, TrackViewSet, "track_id"),
            "offer": Relationship(TrackOffer, OfferViewSet, "offer_id"),
        },
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("oauth/token", issue_token, name="oauth-token"),
    path("api/v1/schema", SchemaView.as_view(), name="openapi-schema"),
    path("api/v1/docs", DocsView.as_view(), name="openapi-docs"),
    path("api/v1/", include(api_patterns)),
    # Anything else under /api/ is answered with a JSON:API 404, whatever
    # DEBUG says.
    re_path(r"^api(/.*)?$", not_found),
]

handler404 = "jsonapi.views.page_not_found"
handler500 = "jsonapi.views.server_error"
