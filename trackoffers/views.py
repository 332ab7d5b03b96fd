from jsonapi.views import ResourceViewSet
from trackoffers.filters import TrackOfferFilterSet
from trackoffers.history import Source, acting
from trackoffers.models import TrackOffer
from trackoffers.serializers import TrackOfferSerializer


class TrackOfferViewSet(ResourceViewSet):
    # The offer's flags ride along (one join) for the effective usage.
    queryset = TrackOffer.objects.with_offer_usage()
    serializer_class = TrackOfferSerializer
    filterset_class = TrackOfferFilterSet
    resource_name = "track-offers"
    url_name = "track-offer"
    select_for_includes = {"track": ["track"], "offer": ["offer"]}

    # Writes are attributed to the token's owner in the copy-scan history.

    def perform_create(self, serializer) -> None:
        with acting(self.request.user, Source.API):
            super().perform_create(serializer)

    def perform_update(self, serializer) -> None:
        with acting(self.request.user, Source.API):
            super().perform_update(serializer)

    def perform_destroy(self, instance: TrackOffer) -> None:
        with acting(self.request.user, Source.API):
            super().perform_destroy(instance)
