"""Page-number pagination with the documented ``meta.page`` member.

``page[number]`` pages carry a total. It is an exact COUNT(*) of the
filtered rows, except for an unfiltered list of a large PostgreSQL table,
where counting every row costs tens of milliseconds: there the planner's
estimate is used and ``meta.page.totalEstimated`` says so.

``page[after]=<id>`` pages are for walking a whole collection: rows after
that id in id order, with no total, so each page costs the same however
deep it is.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import connections
from rest_framework.response import Response
from rest_framework_json_api.pagination import JsonApiPageNumberPagination

from jsonapi import prepared
from jsonapi.exceptions import InvalidQueryParameter
from jsonapi.openapi_hooks import LINK
from jsonapi.relations import id_from_text

AFTER = "page[after]"


def _whole_number(request, parameter: str, default: int, minimum: int = 1) -> int:
    raw = request.query_params.get(parameter)
    if raw is None:
        return default
    number = id_from_text(raw)
    if number is None or number < minimum:
        raise InvalidQueryParameter(
            parameter, f"{parameter} must be a whole number of at least {minimum}."
        )
    return number


def counted(queryset, shape: prepared.Shape | None = None) -> tuple[int, bool]:
    """Return the number of rows and whether it is an estimate.

    One query either way: on PostgreSQL, the CASE only counts the table
    when the statistics say it is small. An exact count is compiled once
    for ``shape``.
    """
    connection = connections[queryset.db]
    limit = settings.EXACT_COUNT_LIMIT
    if queryset.query.where or connection.vendor != "postgresql":
        return prepared.count(shape, queryset), False
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint"
            f" ELSE (SELECT COUNT(*) FROM {table}) END, reltuples >= %s"
            " FROM pg_class WHERE oid = %s::regclass",
            [limit, limit, queryset.model._meta.db_table],
        )
        total, estimated = cursor.fetchone()
    return total, estimated


class PagePagination(JsonApiPageNumberPagination):
    page_size = 20
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _whole_number(request, self.page_size_query_param, self.page_size)
        if self.size > self.max_page_size:
            raise InvalidQueryParameter(
                self.page_size_query_param,
                f"{self.page_size_query_param} must be at most {self.max_page_size}.",
            )
        if AFTER in request.query_params:
            return self.paginate_after(queryset, request, view)
        self.after = None
        self.number = _whole_number(request, self.page_query_param, 1)
        self.total, self.estimated = counted(queryset, self.shape(view, "count"))
        self.offset = (self.number - 1) * self.size
        if self.offset >= self.total and not self.estimated:
            self.items = []
        else:
            self.items = prepared.page(
                self.shape(view, "page"),
                queryset,
                self.offset,
                self.offset + self.size,
            )
        return self.items

    @staticmethod
    def shape(view, kind: str) -> prepared.Shape | None:
        """The shape of this page's query for ``jsonapi.prepared``, if any."""
        return view.prepared_shape(kind) if hasattr(view, "prepared_shape") else None

    def paginate_after(self, queryset, request, view=None):
        if self.page_query_param in request.query_params:
            raise InvalidQueryParameter(
                AFTER, f"{AFTER} and {self.page_query_param} cannot be combined."
            )
        if "sort" in request.query_params:
            raise InvalidQueryParameter(
                AFTER, f"{AFTER} walks the collection in id order: leave sort out."
            )
        self.after = _whole_number(request, AFTER, 0, minimum=0)
        self.items = prepared.after(
            self.shape(view, "after"), queryset, self.after, self.size
        )
        return self.items

    def get_paginated_response(self, data):
        if self.after is not None:
            return self.after_response(data)
        last_page = max(1, -(-self.total // self.size))
        links = {"first": self.page_link(1), "last": self.page_link(last_page)}
        if self.number > 1:
            links["prev"] = self.page_link(min(self.number - 1, last_page))
        if self.number < last_page:
            links["next"] = self.page_link(self.number + 1)
        page = {
            "currentPage": self.number,
            "from": self.offset + 1 if self.items else None,
            "lastPage": last_page,
            "perPage": self.size,
            "to": self.offset + len(self.items) if self.items else None,
            "total": self.total,
        }
        if self.estimated:
            page["totalEstimated"] = True
        return Response({"results": data, "meta": {"page": page}, "links": links})

    def after_response(self, data):
        links = {"first": self.link({AFTER: 0})}
        if len(self.items) == self.size:
            links["next"] = self.link({AFTER: self.items[-1].pk})
        page = {"after": self.after, "perPage": self.size}
        return Response({"results": data, "meta": {"page": page}, "links": links})

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
            {
                "name": AFTER,
                "required": False,
                "in": "query",
                "description": "Return the resources after this id, in id "
                "order, without a total: to walk a whole collection. Takes "
                "neither sort nor page[number].",
                "schema": {"type": "integer", "minimum": 0},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """Describe the documents ``get_paginated_response`` renders."""
        position = {"type": "integer", "minimum": 1, "nullable": True}
        numbered = {
            "type": "object",
            "required": ["currentPage", "from", "lastPage", "perPage", "to", "total"],
            "properties": {
                "currentPage": {"type": "integer", "minimum": 1},
                # null on a page past the end, which is empty.
                "from": position,
                "lastPage": {"type": "integer", "minimum": 1},
                "perPage": {"type": "integer", "minimum": 1},
                "to": position,
                "total": {"type": "integer", "minimum": 0},
                "totalEstimated": {"type": "boolean"},
            },
        }
        cursor = {
            "type": "object",
            "required": ["after", "perPage"],
            "properties": {
                "after": {"type": "integer", "minimum": 0},
                "perPage": {"type": "integer", "minimum": 1},
            },
        }
        return {
            "type": "object",
            "required": ["data", "meta", "links"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "required": ["page"],
                    "properties": {"page": {"anyOf": [numbered, cursor]}},
                },
                "links": {
                    "type": "object",
                    # A page[after] page has no last page.
                    "required": ["first"],
                    "properties": dict.fromkeys(
                        ("first", "last", "prev", "next"), LINK
                    ),
                },
            },
        }

    def page_link(self, number: int) -> str:
        return self.link({self.page_query_param: number})

    def link(self, page: dict) -> str:
        """Return this list's URL at another page, other parameters kept.

        Brackets and commas stay readable, as in ``?page[number]=1``.
        """
        params = [
            (key, value)
            for key, values in self.request.query_params.lists()
            if not key.startswith("page[")
            for value in values
        ]
        params += [*page.items(), (self.page_size_query_param, self.size)]
        base = self.request.build_absolute_uri(self.request.path)
        return f"{base}?{urlencode(params, safe='[],')}"
