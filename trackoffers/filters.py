from jsonapi.filtersets import IdListFilter, ResourceFilterSet, StrictBooleanFilter
from trackoffers.models import TrackOffer


class TrackOfferFilterSet(ResourceFilterSet):
    track_id = IdListFilter(field_name="track_id")
    offer_id = IdListFilter(field_name="offer_id")
    copy_scan = StrictBooleanFilter(field_name="copy_scan")

    class Meta:
        model = TrackOffer
        fields = []
