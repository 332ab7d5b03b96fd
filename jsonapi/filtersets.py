"""Filters shared by every resource list.

Each filter here can also say how its value enters the SQL, so that
filtered lists are compiled once per shape (``jsonapi.prepared``): its
``stand_in(value, numbers)`` returns the part of the shape's key the value
decides, the value to compile the shape with, and which stand-in stands
for which of this request's values. A filter without ``stand_in``, or
with a ``method``, keeps its lists compiled by the ORM on every request.
"""

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from jsonapi import prepared
from jsonapi.relations import id_from_text

# Enough for any client-side batch, and far below SQLite's limit on query
# parameters.
MAX_IDS = 1000


class IdListField(forms.Field):
    """A comma-separated list of resource ids, such as ``1,2,3``."""

    def to_python(self, value: str | None) -> list[int] | None:
        if value in (None, ""):
            return None
        parts = value.split(",")
        if len(parts) > MAX_IDS:
            raise forms.ValidationError(f"At most {MAX_IDS} ids are accepted at once.")
        ids = []
        for part in parts:
            number = id_from_text(part.strip())
            if number is None:
                raise forms.ValidationError(
                    f"{part.strip()!r} is not an id: ids are whole numbers, "
                    "separated by commas."
                )
            ids.append(number)
        return ids


@extend_schema_field({"type": "string", "pattern": r"^\d+(,\d+)*$", "example": "1,2,3"})
class IdListFilter(django_filters.Filter):
    field_class = IdListField

    def filter(self, queryset, value: list[int] | None):
        if value is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": value})

    def stand_in(self, value: list[int] | None, numbers: Iterator[int]) -> tuple:
        if value is None:
            return None, None, {}
        # The SQL has one parameter per distinct id, in the order given.
        ids = list(dict.fromkeys(value))
        stand_ins = [next(numbers) for _ in ids]
        return len(ids), stand_ins, dict(zip(stand_ins, ids, strict=True))


class ResourceFilterSet(django_filters.FilterSet):
    """The filters of one resource list, ``filter[id]`` included.

    django-filter makes a new form class, and a form field per filter, for
    every request. The fields of these filters depend on nothing but their
    declaration, so each filter set class makes its form class once (Django
    copies a form class's fields into every form).
    """

    id = IdListFilter(field_name="id")

    def stand_ins(self) -> "StandIns | None":
        """Return how the values of this valid filter set enter the SQL.

        None when a filter in the set cannot say.
        """
        numbers = prepared.stand_ins()
        key, compiled_with, values = [], {}, {}
        for name, value in self.form.cleaned_data.items():
            filter_ = self.filters[name]
            if filter_.method is not None or not hasattr(filter_, "stand_in"):
                return None
            part, compiled_with[name], stand_for = filter_.stand_in(value, numbers)
            key.append((name, part))
            values.update(stand_for)
        return StandIns(tuple(key), compiled_with, values)

    def filter_stand_ins(self, stand_ins: "StandIns") -> QuerySet:
        """Return the filtered queryset as ``filter_queryset``, with stand-ins."""
        queryset = self.queryset.all()
        for name, value in stand_ins.compiled_with.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if cls not in _FORM_CLASSES:
            _FORM_CLASSES[cls] = super().get_form_class()
        return _FORM_CLASSES[cls]


_FORM_CLASSES: dict[type, type[forms.Form]] = {}


@dataclass(frozen=True)
class StandIns:
    """A filter set's values as the shape of a compiled query sees them."""

    # What each filter's value decides in the SQL.
    key: Hashable
    # The filter values to compile the shape with.
    compiled_with: dict
    # This request's value of each stand-in.
    values: dict[int, object]


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class StrictBooleanFilter(django_filters.ChoiceFilter):
    """``true`` or ``false``; anything else is an error, never "no filter"."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=[("true", "true"), ("false", "false")], **kwargs)

    def filter(self, queryset, value: str):
        if value in (None, ""):
            return queryset
        # IS NOT NULL is implied, but said outright it lets PostgreSQL use a
        # partial index on the set values of a mostly-null column.
        return queryset.filter(
            **{self.field_name: value == "true", f"{self.field_name}__isnull": False}
        )

    def stand_in(self, value: str, numbers: Iterator[int]) -> tuple:
        # The value decides the SQL (NOT copy_scan, or copy_scan): no stand-in.
        return value or None, value, {}
