from jsonapi.views import ResourceViewSet
from tracks.filters import ProductFilterSet, TrackFilterSet
from tracks.models import Product, Track
from tracks.serializers import ProductSerializer, TrackSerializer


class ProductViewSet(ResourceViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    resource_name = "products"
    url_name = "product"


class TrackViewSet(ResourceViewSet):
    queryset = Track.objects.all()
    serializer_class = TrackSerializer
    filterset_class = TrackFilterSet
    resource_name = "tracks"
    url_name = "track"
    select_for_includes = {"product": ["product"]}
