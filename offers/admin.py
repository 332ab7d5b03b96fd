from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from trackoffers.admin_copy_scan import change_copy_scan, plan_for_tracks, report
from trackoffers.admin_support import (
    CatalogueAdmin,
    describe_copy_scan,
    form_change_message,
    show_value,
)
from trackoffers.services import TracksOutsideOffer
from tracks.codes import UPC_PATTERN
from tracks.models import Track


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = [
            "product",
            "release_date",
            "preorder_date",
            "is_default",
            "active",
            *USAGE_FLAGS,
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        product_id = self.instance.product_id or getattr(
            cleaned.get("product"), "pk", None
        )
        if cleaned.get("is_default") and product_id:
            # The database's constraint would answer with its own name; say
            # which offer is in the way instead.
            other = (
                Offer.objects.filter(product_id=product_id, is_default=True)
                .exclude(pk=self.instance.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if other is not None:
                self.add_error(
                    "is_default",
                    f"Offer {other} is already the product's default offer: "
                    "untick it there first.",
                )
        return cleaned


def describe_offer_change(name: str, before, after) -> str | None:
    if name == "product":
        return None
    if name == "copy_scan":
        return describe_copy_scan(was_scanned=bool(before), is_scanned=bool(after))
    return f"{name}: {show_value(before)} -> {show_value(after)}"


@admin.register(Offer)
class OfferAdmin(CatalogueAdmin):
    form = OfferForm
    list_display = [
        "id",
        "product_column",
        "is_default",
        "active",
        *USAGE_FLAGS,
        "release_date",
    ]
    list_display_links = ["id"]
    list_filter = ["is_default", "active", "copy_scan"]
    list_select_related = ["product"]
    search_fields = ["product__upc_code"]
    search_help_text = "An offer id, a product's UPC, or words of its name."
    sortable_by = ["id"]
    autocomplete_fields = ["product"]
    change_form_template = "admin/offers/offer/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "product",
                    "release_date",
                    "preorder_date",
                    "is_default",
                    "active",
                ]
            },
        ),
        (
            "Usage",
            {
                "fields": list(USAGE_FLAGS),
                "description": (
                    "What every track of the product may be used for, unless "
                    "a track offer overrides it for one track."
                ),
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Its track offers belong to the product's tracks: moving the offer
        # to another product would leave them pointing across products.
        return ["product"] if obj is not None else []

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if UPC_PATTERN.fullmatch(term):
            return queryset.filter(product__upc_code=term), False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        return queryset.filter(product__name__icontains=term), False

    def construct_change_message(self, request, form, formsets, add=False) -> str:
        return form_change_message(form, add=add, describe=describe_offer_change)

    @admin.display(description="Product")
    def product_column(self, offer: Offer) -> str:
        return format_html(
            "{}<br><code>{}</code>", offer.product.name, offer.product.upc_code
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # Lazy: the tracks are read (one query) only if the page is shown.
        tracks = (
            Track.objects.in_offer(object_id)
            .order_by("volume_number", "track_number", "id")
            .only("pk", "title", "isrc_code", "volume_number", "track_number")
        )
        extra_context = {
            **(extra_context or {}),
            "copy_scan_tracks": tracks,
            "can_change_copy_scan": can_change_copy_scan(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list:
        flip = self.admin_site.admin_view(require_POST(self.copy_scan_view))
        return [
            path("<int:object_id>/copy-scan/", flip, name="offers_offer_copy_scan"),
            *super().get_urls(),
        ]

    def copy_scan_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Opt one track of the offer out of copy scan, or back in."""
        if not can_change_copy_scan(request):
            raise PermissionDenied
        offer = self.get_object(request, str(object_id))
        if offer is None or not self.has_view_permission(request, offer):
            raise Http404("No such offer.")
        track_id, scanned = chosen_track(request)
        try:
            outcome = change_copy_scan(
                request, plan_for_tracks({offer.pk: [track_id]}), scanned=scanned
            )
        except TracksOutsideOffer:
            self.message_user(
                request,
                f"Track {track_id} is not a track of this offer's product.",
                messages.ERROR,
            )
        else:
            self.message_user(request, report(outcome, scanned=scanned))
        url = reverse("admin:offers_offer_change", args=[offer.pk])
        return HttpResponseRedirect(f"{url}#copy-scan")


def chosen_track(request: HttpRequest) -> tuple[int, bool]:
    """Return the track whose button was pressed, and whether to scan it."""
    for button, scanned in (("opt_out", False), ("opt_in", True)):
        value = request.POST.get(button, "")
        if value.isdigit():
            return int(value), scanned
    raise Http404("No track chosen.")


def can_change_copy_scan(request: HttpRequest) -> bool:
    return request.user.has_perm("trackoffers.change_trackoffer")
