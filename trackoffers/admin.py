from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from offers.usage import USAGE_FLAGS
from trackoffers.admin_copy_scan import (
    TooManyOffers,
    change_copy_scan,
    plan_for_track_offers,
    report,
)
from trackoffers.admin_support import (
    CatalogueAdmin,
    CopyScanOverrideField,
    Describe,
    OverrideField,
    describe_copy_scan,
    form_change_message,
    show_override,
    show_value,
)
from trackoffers.models import CopyScanChange, TrackOffer
from trackoffers.services import TracksOutsideOffer
from tracks.codes import ISRC_PATTERN, normalize_isrc
from tracks.models import Track

COPY_SCAN_HELP = (
    "Opted out keeps this track away from fingerprint scanning (YouTube "
    "Content ID, Audible Magic, Facebook Rights Manager) in this offer."
)


class TrackOfferForm(forms.ModelForm):
    download = OverrideField()
    on_demand_stream = OverrideField()
    non_interactive_stream = OverrideField()
    copy_scan = CopyScanOverrideField(help_text=COPY_SCAN_HELP)

    class Meta:
        model = TrackOffer
        fields = ["track", "offer", *USAGE_FLAGS, "release_date"]


class CopyScanListForm(forms.ModelForm):
    """The per-row copy-scan control of the track offers list."""

    # Short, to keep the list's columns on screen.
    copy_scan = CopyScanOverrideField(inherit="Inherit")

    class Meta:
        model = TrackOffer
        fields = ["copy_scan"]


class CopyScanOverrideFilter(admin.SimpleListFilter):
    title = "copy scan override"
    parameter_name = "copy_scan"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [
            ("opted_out", "Opted out"),
            ("scanned", "Scanned"),
            ("inherited", "Inherited from the offer"),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "opted_out":
                return queryset.opted_out()
            case "scanned":
                return queryset.filter(copy_scan=True)
            case "inherited":
                return queryset.filter(copy_scan__isnull=True)
        return queryset


class OfferFlagFilter(admin.SimpleListFilter):
    """Filter track offers by a yes/no flag of their offer."""

    flag = ""

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"offer__{self.flag}": self.value() == "yes"})
        return queryset


class DefaultOfferFilter(OfferFlagFilter):
    title = "default offer"
    parameter_name = "default_offer"
    flag = "is_default"


class ActiveOfferFilter(OfferFlagFilter):
    title = "active offer"
    parameter_name = "active_offer"
    flag = "active"


def scan_icon(scanned: bool) -> str:
    icon = "admin/img/icon-yes.svg" if scanned else "admin/img/icon-no.svg"
    return format_html(
        '<img src="{}" alt="{}"> {}',
        static(icon),
        "Scanned" if scanned else "Opted out",
        "scanned" if scanned else "opted out",
    )


def search_tracks(queryset: QuerySet, term: str) -> QuerySet:
    """Keep the track offers whose track matches ``term``.

    See ``Track.objects.search`` for what ``term`` may be.
    """
    if not term.strip():
        return queryset
    return queryset.filter(track__in=Track.objects.search(term).values("pk"))


@admin.register(TrackOffer)
class TrackOfferAdmin(CatalogueAdmin):
    form = TrackOfferForm
    list_display = [
        "id",
        "track_column",
        "product_column",
        "offer_column",
        "scanning",
        "copy_scan",
        "other_overrides",
        "release_date",
        "updated",
    ]
    list_display_links = ["id"]
    list_editable = ["copy_scan"]
    list_filter = [CopyScanOverrideFilter, DefaultOfferFilter, ActiveOfferFilter]
    list_select_related = ["track__product", "offer"]
    # Searched by get_search_results; Django needs a field here to show the
    # search box.
    search_fields = ["track__isrc_code"]
    search_help_text = (
        "An ISRC (USRC17607839), the start of one (USRC176), a track title, "
        "or a product's UPC."
    )
    # Only the id has an index to sort a million rows by.
    sortable_by = ["id"]
    ordering = ["-id"]
    autocomplete_fields = ["track", "offer"]
    actions = ["opt_out_copy_scan", "reenable_copy_scan"]
    fieldsets = [
        (None, {"fields": ["track", "offer"]}),
        (
            "Usage",
            {
                "fields": list(USAGE_FLAGS),
                "description": "Each flag inherits the offer's unless set here.",
            },
        ),
        (None, {"fields": ["release_date"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # As in the API, a track offer's track and offer are fixed.
        return ["track", "offer"] if obj is not None else []

    def get_changelist_form(
        self, request: HttpRequest, **kwargs
    ) -> type[forms.ModelForm]:
        return CopyScanListForm

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        return search_tracks(queryset, search_term), False

    def construct_change_message(self, request, form, formsets, add=False) -> str:
        return form_change_message(form, add=add, describe=describer(form.instance))

    @admin.display(description="Track")
    def track_column(self, obj: TrackOffer) -> str:
        return format_html(
            "{}<br><code>{}</code>", obj.track.title, obj.track.isrc_code
        )

    @admin.display(description="Product")
    def product_column(self, obj: TrackOffer) -> str:
        product = obj.track.product
        return format_html("{}<br><code>{}</code>", product.name, product.upc_code)

    @admin.display(description="Offer")
    def offer_column(self, obj: TrackOffer) -> str:
        notes = [
            note
            for note, applies in [
                ("default", obj.offer.is_default),
                ("inactive", not obj.offer.active),
            ]
            if applies
        ]
        return f"Offer {obj.offer_id}" + (f" ({', '.join(notes)})" if notes else "")

    @admin.display(description="Scanning")
    def scanning(self, obj: TrackOffer) -> str:
        icon = scan_icon(obj.effective_usage["copy_scan"])
        if obj.copy_scan is None:
            return format_html("{} <small>(inherited)</small>", icon)
        return icon

    @admin.display(description="Other overrides")
    def other_overrides(self, obj: TrackOffer) -> str:
        overrides = [
            (flag, show_value(value))
            for flag, value in obj.usage.items()
            if flag != "copy_scan"
        ]
        if not overrides:
            return self.get_empty_value_display()
        return format_html_join(mark_safe("<br>"), "{}: {}", overrides)

    @admin.display(description="Updated")
    def updated(self, obj: TrackOffer) -> str:
        updated = timezone.localtime(obj.updated_at)
        return format_html(
            "{}<br>{}", updated.strftime("%Y-%m-%d"), updated.strftime("%H:%M")
        )

    @admin.action(description="Opt out of copy scan", permissions=["change"])
    def opt_out_copy_scan(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.change_copy_scan(request, queryset, scanned=False)

    @admin.action(description="Re-enable copy scan", permissions=["change"])
    def reenable_copy_scan(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.change_copy_scan(request, queryset, scanned=True)

    def change_copy_scan(self, request, queryset: QuerySet, *, scanned: bool) -> None:
        rows = queryset.order_by().values_list("pk", "offer_id", "track_id")
        try:
            outcome = change_copy_scan(
                request, plan_for_track_offers(rows), scanned=scanned
            )
        except (TracksOutsideOffer, TooManyOffers) as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, report(outcome, scanned=scanned), messages.SUCCESS)


def describer(track_offer: TrackOffer) -> Describe:
    """Word a track offer form's changes; copy scan as scanned/opted out."""

    def describe(name: str, before, after) -> str | None:
        if name in ("track", "offer"):
            return None
        if name == "copy_scan":
            offer_scans = track_offer.offer.copy_scan
            return describe_copy_scan(
                was_scanned=offer_scans if before is None else before,
                is_scanned=offer_scans if after is None else after,
                previous_override=before,
                new_override=after,
            )
        if name in USAGE_FLAGS:
            return f"{name}: {show_override(before)} -> {show_override(after)}"
        return f"{name}: {show_value(before)} -> {show_value(after)}"

    return describe


@admin.register(CopyScanChange)
class CopyScanChangeAdmin(CatalogueAdmin):
    """The copy-scan history: read-only, since it is append-only."""

    list_display = [
        "changed_at",
        "isrc_code",
        "offer_number",
        "change",
        "actor",
        "source",
    ]
    list_filter = ["source"]
    search_fields = ["isrc_code"]
    search_help_text = "An ISRC (USRC17607839) or the start of one (USRC176)."
    sortable_by = ["changed_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("track", "offer", "user")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        code = normalize_isrc(search_term.strip())
        if not code:
            return queryset, False
        if ISRC_PATTERN.fullmatch(code):
            return queryset.filter(isrc_code=code), False
        return queryset.filter(isrc_code__startswith=code), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Change")
    def change(self, obj: CopyScanChange) -> str:
        return obj.describe()
