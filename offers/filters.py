from jsonapi.filtersets import IdListFilter, ResourceFilterSet
from offers.models import Offer


class OfferFilterSet(ResourceFilterSet):
    product_id = IdListFilter(field_name="product_id")

    class Meta:
        model = Offer
        fields = []
