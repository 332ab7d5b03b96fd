from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.html import format_html

from offers.models import Offer
from offers.usage import USAGE_FLAGS
from trackoffers.admin_copy_scan import (
    TooManyOffers,
    change_copy_scan,
    plan_for_tracks,
    report,
)
from trackoffers.admin_support import CatalogueAdmin
from trackoffers.services import TracksOutsideOffer
from tracks.codes import UPC_PATTERN
from tracks.models import Product, Track

ALL_OFFERS = "all"
HISTORY_SHOWN = 20


def offer_label(offer: Offer) -> str:
    notes = [
        "default" if offer.is_default else "",
        "" if offer.active else "inactive",
        f"release {offer.release_date}" if offer.release_date else "",
        "" if offer.copy_scan else "not scanned as a whole",
    ]
    return f"Offer {offer.pk}" + "".join(f", {note}" for note in notes if note)


class OfferChoiceForm(forms.Form):
    """Which offers to opt the selected tracks out of copy scan in."""

    offer = forms.ChoiceField(widget=forms.RadioSelect, label="In")

    def __init__(self, *args, offers: list[Offer], one_product: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        every = (
            "Every offer of the product"
            if one_product
            else "Every offer of each track's product"
        )
        self.fields["offer"].choices = [
            (ALL_OFFERS, every),
            *((str(offer.pk), offer_label(offer)) for offer in offers),
        ]


class TrackInline(admin.TabularInline):
    model = Track
    fields = ["volume_number", "track_number", "title", "isrc_code", "artist"]
    readonly_fields = fields
    ordering = ["volume_number", "track_number"]
    show_change_link = True
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OfferInline(TrackInline):
    model = Offer
    fields = ["is_default", "active", "release_date", *USAGE_FLAGS]
    readonly_fields = fields
    ordering = ["id"]


@admin.register(Product)
class ProductAdmin(CatalogueAdmin):
    list_display = ["name", "upc_code", "release_date"]
    search_fields = ["upc_code"]
    search_help_text = "A UPC (012345678905) or words of the product's name."
    sortable_by = ["upc_code"]
    inlines = [TrackInline, OfferInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if UPC_PATTERN.fullmatch(term):
            return queryset.filter(upc_code=term), False
        return queryset.filter(name__icontains=term), False


@admin.register(Track)
class TrackAdmin(CatalogueAdmin):
    list_display = [
        "title",
        "isrc_code",
        "product_column",
        "volume_number",
        "track_number",
        "artist",
    ]
    list_select_related = ["product"]
    search_fields = ["isrc_code"]
    search_help_text = (
        "An ISRC (USRC17607839), the start of one (USRC176), a title, "
        "or a product's UPC."
    )
    sortable_by = ["isrc_code"]
    autocomplete_fields = ["product"]
    actions = ["opt_out_in_offer"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "product",
                    "title",
                    "isrc_code",
                    "volume_number",
                    "track_number",
                    "artist",
                    "length",
                ]
            },
        ),
        ("Offers", {"fields": ["usage_by_offer", "copy_scan_history"]}),
    ]
    readonly_fields = ["usage_by_offer", "copy_scan_history"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return queryset.search(search_term), False

    def has_copy_scan_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("trackoffers.change_trackoffer")

    @admin.display(description="Product")
    def product_column(self, track: Track) -> str:
        return format_html(
            "{}<br><code>{}</code>", track.product.name, track.product.upc_code
        )

    @admin.display(description="Usage in each offer")
    def usage_by_offer(self, track: Track) -> str:
        if track.pk is None:
            return self.get_empty_value_display()
        offers = (
            Offer.objects.filter(product_id=track.product_id)
            .with_usage_of(track)
            .order_by("id")
        )
        rows = [
            {
                "offer": offer,
                "label": offer_label(offer),
                "usage": [
                    {
                        "on": getattr(offer, f"effective_{flag}"),
                        "overridden": getattr(offer, f"track_{flag}") is not None,
                    }
                    for flag in USAGE_FLAGS
                ],
            }
            for offer in offers
        ]
        return render_to_string(
            "admin/tracks/track/usage_by_offer.html",
            {"rows": rows, "flags": USAGE_FLAGS},
        )

    @admin.display(description="Copy-scan history")
    def copy_scan_history(self, track: Track) -> str:
        if track.pk is None:
            return self.get_empty_value_display()
        return render_to_string(
            "admin/tracks/track/copy_scan_history.html",
            {"changes": track.copy_scan_history()[:HISTORY_SHOWN]},
        )

    @admin.action(
        description="Opt out of copy scan in an offer...",
        permissions=["copy_scan"],
    )
    def opt_out_in_offer(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        """Ask which offer, then opt the selected tracks out in it."""
        products = list(
            queryset.order_by().values_list("product_id", flat=True).distinct()[:2]
        )
        offers = (
            list(Offer.objects.filter(product_id=products[0]).order_by("id"))
            if len(products) == 1
            else []
        )
        form = OfferChoiceForm(
            request.POST if "apply" in request.POST else None,
            offers=offers,
            one_product=len(products) == 1,
        )
        if form.is_valid():
            self.opt_out(request, queryset, form.cleaned_data["offer"])
            return None
        return TemplateResponse(
            request,
            "admin/tracks/track/opt_out_in_offer.html",
            {
                **self.admin_site.each_context(request),
                "title": "Opt out of copy scan in an offer",
                "opts": self.opts,
                "form": form,
                "count": queryset.count(),
                "one_product": len(products) == 1,
                "select_across": request.POST.get("select_across") == "1",
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "changelist_url": request.get_full_path(),
            },
        )

    def opt_out(self, request: HttpRequest, tracks: QuerySet, choice: str) -> None:
        if choice == ALL_OFFERS:
            tracks_by_offer = tracks_in_every_offer(tracks)
        else:
            tracks_by_offer = {int(choice): list(tracks.values_list("pk", flat=True))}
        try:
            outcome = change_copy_scan(
                request, plan_for_tracks(tracks_by_offer), scanned=False
            )
        except (TracksOutsideOffer, TooManyOffers) as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, report(outcome, scanned=False), messages.SUCCESS)


def tracks_in_every_offer(tracks: QuerySet) -> dict[int, list[int]]:
    """Map every offer of the tracks' products to its tracks (two queries)."""
    by_product: dict[int, list[int]] = {}
    for pk, product_id in tracks.order_by().values_list("pk", "product_id"):
        by_product.setdefault(product_id, []).append(pk)
    offers = Offer.objects.filter(
        product_id__in=tracks.order_by().values("product_id")
    ).values_list("pk", "product_id")
    return {pk: by_product[product_id] for pk, product_id in offers}
