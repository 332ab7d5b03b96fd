"""What every admin page of the catalogue shares.

The catalogue's tables hold up to millions of rows, so the admin pages built
on ``CatalogueAdmin`` never count a whole table, never compute facets and
offer no bulk delete. Every write made through them is attributed to the
staff user in the copy-scan history (``acting``), and their history
messages describe flags the way staff read them.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property

from trackoffers.history import Source, acting
from trackoffers.models import CopyScanChange


class EstimatedCountPaginator(Paginator):
    """Count exactly, except an unfiltered list of a big PostgreSQL table.

    An exact ``COUNT(*)`` of a million rows costs 20 to 150 ms, on every page
    of an unfiltered changelist. There, once a count capped at
    ``exact_up_to`` rows shows the table is bigger, PostgreSQL's own row
    estimate (``pg_class.reltuples``, kept by autovacuum) is used instead and
    ``estimated`` is set so the page can say so. Filtered lists are counted
    exactly; SQLite has no estimate and always counts.
    """

    exact_up_to = 10_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return len(queryset)
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.where:
            return queryset.count()
        capped = queryset.order_by()[: self.exact_up_to + 1].count()
        if capped <= self.exact_up_to:
            return capped
        estimate = table_estimate(queryset)
        if estimate <= self.exact_up_to:
            # Never analysed, or statistics older than the table's growth.
            return queryset.count()
        self.estimated = True
        return estimate


def table_estimate(queryset: QuerySet) -> int:
    """Return PostgreSQL's estimate of the rows in the queryset's table.

    -1 when the table was never analysed.
    """
    connection = connections[queryset.db]
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table]
        )
        return int(cursor.fetchone()[0])


class CatalogueAdmin(admin.ModelAdmin):
    """An admin page that stays fast on a table of millions of rows."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/estimated_change_list.html"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Django joins list_select_related only into the list's own query;
        # joining it here gives change pages and the rows posted by a list's
        # controls (validated and described from their related rows) the
        # same joins. The list keeps them.
        queryset = super().get_queryset(request)
        if isinstance(self.list_select_related, list | tuple):
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_changelist_formset(
        self, request: HttpRequest, **kwargs: Any
    ) -> type[forms.BaseModelFormSet]:
        return super().get_changelist_formset(
            request, formset=LoadedRowsFormSet, **kwargs
        )

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # Bulk delete lists every selected row and what depends on it before
        # asking, and deletes with QuerySet.delete(), which skips
        # TrackOffer.delete() and so the copy-scan history. Rows are deleted
        # one at a time from their own page instead.
        actions.pop("delete_selected", None)
        return actions

    def changelist_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with acting(request.user, Source.ADMIN):
            return super().changelist_view(request, *args, **kwargs)

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with acting(request.user, Source.ADMIN):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with acting(request.user, Source.ADMIN):
            return super().delete_view(request, *args, **kwargs)


class LoadedRowField(forms.Field):
    """A list row's hidden id, checked against the rows the list loaded."""

    widget = forms.HiddenInput

    def __init__(self, rows: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.rows = rows

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return self.rows[str(value)]
        except KeyError:
            raise ValidationError(
                "This row is no longer in the list; reload the page.",
                code="invalid_choice",
            ) from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(initial or "") != str(data or "")


class LoadedRowsFormSet(forms.BaseModelFormSet):
    """The formset of a list's editable rows, checked in one query.

    Django checks each posted row's id with a query of its own: 50 for a
    page of 50 rows. The rows were all loaded at once to be edited, so the
    ids are checked against those.
    """

    @cached_property
    def loaded_rows(self) -> dict[str, Any]:
        return {str(row.pk): row for row in self.get_queryset()}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        pk = self.model._meta.pk.name
        if self.is_bound:
            form.fields[pk] = LoadedRowField(
                self.loaded_rows, initial=form.fields[pk].initial
            )


def _to_bool(value: Any) -> bool:
    return value in (True, "True")


class OverrideField(forms.TypedChoiceField):
    """A track offer's override of one usage flag: inherit, on or off.

    Maps to the flag's nullable column: None inherits the offer's flag.
    """

    def __init__(
        self,
        *,
        inherit: str = "Inherit from the offer",
        on: str = "On",
        off: str = "Off",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            choices=[("", inherit), ("True", on), ("False", off)],
            coerce=_to_bool,
            empty_value=None,
            required=False,
            **kwargs,
        )


class CopyScanOverrideField(OverrideField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(on="Scanned", off="Opted out", **kwargs)


def describe_copy_scan(
    *,
    was_scanned: bool,
    is_scanned: bool,
    previous_override: bool | None = None,
    new_override: bool | None = None,
) -> str:
    """Return a copy-scan change as staff read it.

    "copy_scan: scanned -> opted out", worded by the copy-scan history so
    that the admin history and the copy-scan history read the same.
    """
    # An unsaved record, built only for its wording.
    change = CopyScanChange(
        was_scanned=was_scanned,
        is_scanned=is_scanned,
        previous_override=previous_override,
        new_override=new_override,
    )
    return change.describe()


def show_value(value: Any) -> str:
    """Return a field value as a history message shows it."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def show_override(value: bool | None) -> str:
    return "inherit" if value is None else show_value(value)


Describe = Callable[[str, Any, Any], str | None]


def form_change_message(form: forms.ModelForm, *, add: bool, describe: Describe) -> str:
    """Return the history message of a saved admin form.

    One "name: before -> after" per changed field, as ``describe`` words it
    (None leaves a field out), e.g. "copy_scan: scanned -> opted out;
    release_date: none -> 2027-01-15". Additions start with "Added".
    """
    parts = [
        describe(name, form.initial.get(name), form.cleaned_data.get(name))
        for name in form.changed_data
    ]
    text = "; ".join(part for part in parts if part)
    if add:
        return f"Added; {text}" if text else "Added."
    return text
