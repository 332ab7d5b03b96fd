from jsonapi.views import ResourceViewSet
from offers.filters import OfferFilterSet
from offers.models import Offer
from offers.serializers import OfferSerializer


class OfferViewSet(ResourceViewSet):
    queryset = Offer.objects.all()
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet
    resource_name = "offers"
    url_name = "offer"
    select_for_includes = {"product": ["product"]}
