import django_filters
from django import forms

from jsonapi.filtersets import IdListFilter, ResourceFilterSet, StrictBooleanFilter
from offers.models import Offer
from tracks.codes import normalize_isrc
from tracks.models import Product, Track


class ProductFilterSet(ResourceFilterSet):
    # A longer value matches nothing: it is a mistake, answered with a 400.
    upc_code = django_filters.CharFilter(max_length=13)

    class Meta:
        model = Product
        fields = []


class TrackFilterForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        offer_ids = data.get("offer_id")
        if data.get("copy_scan") and (not offer_ids or len(offer_ids) != 1):
            self.add_error(
                "copy_scan",
                "filter[copy-scan] needs exactly one offer in filter[offer-id]: "
                "a track's copy scan depends on the offer.",
            )
        return data


class TrackFilterSet(ResourceFilterSet):
    product_id = IdListFilter(field_name="product_id")
    isrc_code = django_filters.CharFilter(method="filter_isrc", max_length=20)
    offer_id = IdListFilter(method="filter_offer")
    copy_scan = StrictBooleanFilter(method="applied_by_filter_offer")

    class Meta:
        model = Track
        fields = []
        form = TrackFilterForm

    def filter_isrc(self, queryset, name: str, value: str):
        return queryset.filter(isrc_code=normalize_isrc(value))

    def filter_offer(self, queryset, name: str, offer_ids: list[int]):
        """Keep the tracks of the offers' products, by effective copy scan.

        With one offer and ``filter[copy-scan]``, the page is one query:
        see TrackQuerySet.in_offer.
        """
        copy_scan = self.form.cleaned_data.get("copy_scan")
        if copy_scan:
            tracks = queryset.in_offer(offer_ids[0])
            return tracks.filter(effective_copy_scan=copy_scan == "true")
        products = Offer.objects.filter(pk__in=offer_ids).values("product_id")
        return queryset.filter(product_id__in=products)

    def applied_by_filter_offer(self, queryset, name: str, value: str):
        # The copy scan of a track only means something in one offer, so
        # filter_offer applies this filter together with the offer's.
        return queryset
