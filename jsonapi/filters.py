"""Query parameter handling: every mistake is a 400 naming the parameter."""

from rest_framework_json_api.django_filters import DjangoFilterBackend
from rest_framework_json_api.filters import OrderingFilter
from rest_framework_json_api.utils import format_field_name, undo_format_field_name

from jsonapi.exceptions import InvalidQueryParameter


class FilterBackend(DjangoFilterBackend):
    """DJA's django-filter backend with errors pointing at the parameter."""

    def _validate_filter(self, keys, filterset_class):
        for key in keys:
            if not filterset_class or key not in filterset_class.base_filters:
                parameter = f"filter[{format_field_name(key)}]"
                choices = ", ".join(
                    f"filter[{format_field_name(name)}]"
                    for name in getattr(filterset_class, "base_filters", {})
                )
                raise InvalidQueryParameter(
                    parameter,
                    f"{parameter} is not a filter of this list "
                    f"(possible: {choices or 'none'}).",
                )

    def get_filterset_kwargs(self, request, queryset, view):
        for parameter in request.query_params:
            match = self.filter_regex.match(parameter)
            if match and match["assoc"]:
                check_spelling(parameter, match["assoc"])
        return super().get_filterset_kwargs(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        if not any(self.filter_regex.match(name) for name in request.query_params):
            # Without a filter parameter every filter lets everything through:
            # building the FilterSet and validating its form would cost a
            # fifth of a single-resource request for nothing.
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            name, messages = next(iter(filterset.errors.items()))
            raise InvalidQueryParameter(
                f"filter[{format_field_name(name)}]", " ".join(messages)
            )
        if hasattr(view, "filter_stand_ins") and hasattr(filterset, "stand_ins"):
            # The view compiles its filtered queries once (jsonapi.prepared).
            if view.compiling_stand_ins:
                return filterset.filter_stand_ins(view.filter_stand_ins)
            view.filter_stand_ins = filterset.stand_ins()
        return filterset.qs


class SortBackend(OrderingFilter):
    """``sort`` on the fields a view lists in ``ordering_fields``."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {
            format_field_name(name) for name, _ in self.get_valid_fields(queryset, view)
        }
        for term in fields:
            name = term.removeprefix("-")
            if name not in valid:
                choices = ", ".join(sorted(valid))
                raise InvalidQueryParameter(
                    "sort", f"Cannot sort by {term} (possible: {choices})."
                )
        return super().remove_invalid_fields(queryset, fields, view, request)


def check_spelling(parameter: str, name: str) -> None:
    """Refuse member names not written as the API writes them (dasherized)."""
    spelled = format_field_name(undo_format_field_name(name))
    if spelled != name:
        raise InvalidQueryParameter(
            parameter, f"{parameter} is not spelled as the API does: write {spelled}."
        )
