"""Filters shared by every resource list."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

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


class ResourceFilterSet(django_filters.FilterSet):
    """The filters of one resource list, ``filter[id]`` included.

    django-filter makes a new form class, and a form field per filter, for
    every request. The fields of these filters depend on nothing but their
    declaration, so each filter set class makes its form class once (Django
    copies a form class's fields into every form).
    """

    id = IdListFilter(field_name="id")

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if cls not in _FORM_CLASSES:
            _FORM_CLASSES[cls] = super().get_form_class()
        return _FORM_CLASSES[cls]


_FORM_CLASSES: dict[type, type[forms.Form]] = {}


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
