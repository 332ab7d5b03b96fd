from jsonapi.views import ResourceViewSet
from trackoffers.filters import TrackOfferFilterSet
from trackoffers.models import TrackOffer
from trackoffers.serializers import TrackOfferSerializer


class TrackOfferViewSet(ResourceViewSet):
    queryset = TrackOffer.objects.all()
    serializer_class = TrackOfferSerializer
    filterset_class = TrackOfferFilterSet
    resource_name = "track-offers"
    url_name = "track-offer"
    select_for_includes = {"track": ["track"], "offer": ["offer"]}
