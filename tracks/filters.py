import django_filters

from jsonapi.filtersets import IdListFilter, ResourceFilterSet
from tracks.codes import normalize_isrc
from tracks.models import Product, Track


class ProductFilterSet(ResourceFilterSet):
    upc_code = django_filters.CharFilter()

    class Meta:
        model = Product
        fields = []


class TrackFilterSet(ResourceFilterSet):
    product_id = IdListFilter(field_name="product_id")
    isrc_code = django_filters.CharFilter(method="filter_isrc")

    class Meta:
        model = Track
        fields = []

    def filter_isrc(self, queryset, name: str, value: str):
        return queryset.filter(isrc_code=normalize_isrc(value))
