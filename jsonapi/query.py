"""Checks of the query string that apply to every API request."""

import re
from urllib.parse import unquote_to_bytes

from django.core.handlers.wsgi import get_bytes_from_wsgi
from rest_framework_json_api.utils import format_field_name

from jsonapi.exceptions import InvalidQueryParameter
from jsonapi.registry import fields_of_type

FAMILY_PARAMETER = re.compile(r"(?P<family>filter|fields|page)\[(?P<name>[^\[\]]+)\]")
PAGE_PARAMETERS = {"number", "size", "after"}


def check_query(request, view) -> None:
    """Reject unknown, repeated or empty query parameters and bad includes."""
    check_encoding(request)
    for parameter, values in request.query_params.lists():
        check_parameter(parameter, values)
        check_repeated_names(parameter, values[0])
    check_includes(request, view)
    check_sparse_fieldsets(request)


def check_encoding(request) -> None:
    """Refuse a query string that is not UTF-8 once percent-decoded.

    Django silently replaces such bytes, so a filter would quietly look
    for another value than the one the client meant.
    """
    raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            for part in (name, value):
                unquote_to_bytes(part.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            parameter = unquote_to_bytes(name).decode(errors="replace")
            raise InvalidQueryParameter(
                parameter, f"{parameter} is not UTF-8 text once percent-decoded."
            ) from None


def check_parameter(parameter: str, values: list[str]) -> None:
    match = FAMILY_PARAMETER.fullmatch(parameter)
    if parameter not in ("include", "sort") and not match:
        raise InvalidQueryParameter(
            parameter,
            f"{parameter} is not a query parameter of this API: use include, "
            "sort, fields[type], filter[name], page[number] or page[size].",
        )
    if match and match["family"] == "page" and match["name"] not in PAGE_PARAMETERS:
        raise InvalidQueryParameter(
            parameter,
            "Pagination takes page[number], page[size] and page[after] only.",
        )
    if len(values) > 1:
        raise InvalidQueryParameter(
            parameter, f"{parameter} is given more than once: send it once."
        )
    if values[0] == "":
        raise InvalidQueryParameter(parameter, f"{parameter} is empty.")


def check_repeated_names(parameter: str, value: str) -> None:
    """Refuse a name listed twice in ``include``, ``sort`` or ``fields[TYPE]``.

    Repeats mean nothing, and a long list of them costs seconds of work.
    """
    if parameter not in ("include", "sort") and not parameter.startswith("fields["):
        return
    seen = set()
    for name in value.split(","):
        if name.removeprefix("-") in seen:
            raise InvalidQueryParameter(
                parameter, f"{parameter} names {name.removeprefix('-')} twice."
            )
        seen.add(name.removeprefix("-"))


def check_includes(request, view) -> None:
    raw = request.query_params.get("include")
    if raw is None:
        return
    included = getattr(view.get_serializer_class(), "included_serializers", {})
    allowed = [format_field_name(name) for name in included]
    for path in raw.split(","):
        if path not in allowed:
            choices = ", ".join(allowed) or "none"
            raise InvalidQueryParameter(
                "include", f"{path} cannot be included here (possible: {choices})."
            )


def check_sparse_fieldsets(request) -> None:
    for parameter, value in request.query_params.items():
        match = FAMILY_PARAMETER.fullmatch(parameter)
        if not match or match["family"] != "fields":
            continue
        known = fields_of_type(match["name"])
        if known is None:
            raise InvalidQueryParameter(
                parameter, f"{match['name']} is not a resource type of this API."
            )
        for name in value.split(","):
            if name not in known:
                raise InvalidQueryParameter(
                    parameter,
                    f"{name} is not a field of {match['name']} "
                    f"(possible: {', '.join(sorted(known))}).",
                )
