"""Page-number pagination with the documented ``meta.page`` member."""

from urllib.parse import urlencode

from rest_framework.response import Response
from rest_framework_json_api.pagination import JsonApiPageNumberPagination

from jsonapi.exceptions import InvalidQueryParameter


def _positive_int(request, parameter: str, default: int, maximum: int | None) -> int:
    raw = request.query_params.get(parameter)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise InvalidQueryParameter(
            parameter, f"{parameter} must be a whole number of at least 1."
        )
    value = int(raw)
    if maximum is not None and value > maximum:
        raise InvalidQueryParameter(
            parameter, f"{parameter} must be at most {maximum}."
        )
    return value


class PagePagination(JsonApiPageNumberPagination):
    """``page[number]`` and ``page[size]``, strictly checked.

    A page past the end is an empty page, not an error. The total is an
    exact COUNT(*) of the filtered queryset: one query per list request.
    """

    page_size = 20
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _positive_int(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )
        self.number = _positive_int(request, self.page_query_param, 1, None)
        self.total = queryset.count()
        offset = (self.number - 1) * self.size
        if offset >= self.total:
            self.items = []
        else:
            self.items = list(queryset[offset : offset + self.size])
        self.offset = offset
        return self.items

    def get_paginated_response(self, data):
        last_page = max(1, -(-self.total // self.size))
        links = {
            "first": self.page_link(1),
            "last": self.page_link(last_page),
        }
        if self.number > 1:
            links["prev"] = self.page_link(min(self.number - 1, last_page))
        if self.number < last_page:
            links["next"] = self.page_link(self.number + 1)
        return Response(
            {
                "results": data,
                "meta": {
                    "page": {
                        "currentPage": self.number,
                        "from": self.offset + 1 if self.items else None,
                        "lastPage": last_page,
                        "perPage": self.size,
                        "to": self.offset + len(self.items) if self.items else None,
                        "total": self.total,
                    }
                },
                "links": links,
            }
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page to return, from 1.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Resources per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """Describe the document ``get_paginated_response`` renders."""
        link = {"type": "string", "format": "uri"}
        count = {"type": "integer", "minimum": 0}
        position = {"type": "integer", "minimum": 1, "nullable": True}
        return {
            "type": "object",
            "required": ["data", "meta", "links"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "required": ["page"],
                    "properties": {
                        "page": {
                            "type": "object",
                            "required": [
                                "currentPage",
                                "from",
                                "lastPage",
                                "perPage",
                                "to",
                                "total",
                            ],
                            "properties": {
                                "currentPage": {"type": "integer", "minimum": 1},
                                # null on a page past the end, which is empty.
                                "from": position,
                                "lastPage": {"type": "integer", "minimum": 1},
                                "perPage": {"type": "integer", "minimum": 1},
                                "to": position,
                                "total": count,
                            },
                        }
                    },
                },
                "links": {
                    "type": "object",
                    "required": ["first", "last"],
                    "properties": dict.fromkeys(
                        ("first", "last", "prev", "next"), link
                    ),
                },
            },
        }

    def page_link(self, number: int) -> str:
        """Return this list's URL at page ``number``, other parameters kept.

        Brackets and commas stay readable, as in ``?page[number]=1``.
        """
        params = [
            (key, value)
            for key, values in self.request.query_params.lists()
            if not key.startswith("page[")
            for value in values
        ]
        params += [
            (self.page_query_param, number),
            (self.page_size_query_param, self.size),
        ]
        base = self.request.build_absolute_uri(self.request.path)
        return f"{base}?{urlencode(params, safe='[],')}"
