"""Base views: resource viewsets, related and relationship endpoints."""

import logging
from dataclasses import dataclass

from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    router,
    transaction,
)
from django.db.models import PROTECT, Model, QuerySet, UniqueConstraint
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_json_api.utils import format_field_name
from rest_framework_json_api.views import PreloadIncludesMixin

from jsonapi import prepared
from jsonapi.exceptions import (
    Conflict,
    Forbidden,
    InvalidQueryParameter,
    MalformedDocument,
    ServiceUnavailable,
    error_document,
    error_object,
)
from jsonapi.filtersets import StandIns
from jsonapi.parsers import RAW_ATTRIBUTES
from jsonapi.query import check_query
from jsonapi.relations import id_from_text

logger = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def parse_id(raw: str) -> int:
    """Return a URL id as an integer, or raise a 404 for one that cannot exist."""
    number = id_from_text(raw)
    if number is None:
        raise NotFound()
    return number


class ResourceViewSet(PreloadIncludesMixin, viewsets.ModelViewSet):
    """A JSON:API resource collection with list, get, create, PATCH, delete.

    Writes run in one transaction that is rolled back when the response is
    an error, so a failed request changes nothing.
    """

    http_method_names = ["get", "post", "patch", "delete", "head"]
    ordering = ["id"]
    ordering_fields = ["id", "created_at", "updated_at"]
    resource_name: str = ""
    # The prefix of the URL names of this resource: "track-offer-detail".
    url_name: str = ""
    # Set by the related-resource routes (/offers/1/track-offers): the
    # relationship whose targets this view serves.
    related: "Relationship | None" = None
    # Set by the filter backend: the stand-ins of this request's filter
    # values, None when it has none or they cannot be compiled once.
    filter_stand_ins: "StandIns | None" = None
    # True while the queryset is built with those stand-ins.
    compiling_stand_ins = False

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if request.method in READ_METHODS:
            return super().dispatch(request, *args, **kwargs)
        try:
            with transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
        except (OperationalError, InterfaceError) as exc:
            # BEGIN or COMMIT failed: the database went away. DRF's error
            # handling only covers what runs inside the transaction, and
            # without an acknowledgement the client must retry anyway.
            logger.warning("Database unavailable: %s", exc)
            return unavailable()
        return response

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        check_query(request, self)

    def get_serializer(self, *args, **kwargs):
        if "data" in kwargs and RAW_ATTRIBUTES not in kwargs["data"]:
            # The parser adds this key to every document it reads: without
            # it, the request had no body at all.
            raise MalformedDocument(
                "This request needs a JSON:API document as its body.", pointer=""
            )
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer) -> None:
        self.save_or_conflict(serializer)

    def perform_update(self, serializer) -> None:
        self.save_or_conflict(serializer)

    def save_or_conflict(self, serializer) -> None:
        """Save, answering a uniqueness clash (even a race) with a 409."""
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError:
            raise self.conflict(serializer) from None

    def conflict(self, serializer) -> Conflict:
        """Name the existing resource that a failed save clashed with."""
        instance = serializer.instance or self.queryset.model(
            **serializer.validated_data
        )
        clash = find_clash(instance)
        if clash is None:
            return Conflict(
                "This request conflicts with an existing resource.", pointer="/data"
            )
        existing, fields = clash
        names = " and ".join(format_field_name(field) for field in fields)
        kind = str(existing._meta.verbose_name).capitalize()
        return Conflict(
            f"{kind} {existing.pk} already exists with this {names}.",
            pointer="/data",
            about=self.resource_url(existing.pk),
        )

    def perform_destroy(self, instance: Model) -> None:
        """Delete, unless rows still point at this one: that is a 409.

        Checking first costs one cheap query per protecting relation, where
        Django's ProtectedError would load every protecting row.
        """
        still_used = [
            str(relation.related_model._meta.verbose_name_plural)
            for relation in instance._meta.related_objects
            if relation.on_delete is PROTECT
            and getattr(instance, relation.get_accessor_name()).exists()
        ]
        if still_used:
            raise Conflict(
                f"This resource still has {' and '.join(still_used)}: delete "
                "those first.",
                pointer="/data",
            )
        instance.delete()

    def resource_url(self, pk: int) -> str:
        return self.request.build_absolute_uri(
            reverse(f"{self.basename}-detail", kwargs={"pk": pk})
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method not in READ_METHODS:
            # A PATCH saves every column it read: without the row lock, two
            # concurrent PATCHes of different flags would lose one of them.
            # Only this table's row is locked, not the joined ones.
            queryset = queryset.select_for_update(of=("self",))
        if self.related is None:
            return queryset
        parent_id = parse_id(self.kwargs["parent_pk"])
        if self.related.many:
            return queryset.filter(**{self.related.column: parent_id})
        parents = self.related.parent.objects.filter(pk=parent_id)
        return queryset.filter(pk__in=parents.values(self.related.column))

    def query_shape(self) -> tuple | None:
        """Return what this request's queryset depends on (jsonapi.prepared).

        That is the view, whether the request writes (a write locks the
        row), the included relationships and, once the filter backend has
        run, what the filter values decide in the SQL: ``get_queryset``
        must depend on nothing else. None for related URLs, whose queryset
        holds the parent's id, and when other query parameters (a sort, a
        filter that cannot be compiled once) could change or refuse the
        query: those requests are compiled as usual.
        """
        if self.related is not None:
            return None
        filters = self.filter_stand_ins
        for name in self.request.query_params:
            if name == "include" or name.startswith(("fields[", "page[")):
                continue
            if filters is None or not name.startswith("filter["):
                return None
        include = frozenset(self.request.query_params.get("include", "").split(","))
        shape = (type(self), self.request.method in READ_METHODS, include)
        return shape if filters is None else (*shape, filters.key)

    def prepared_shape(self, kind: str) -> prepared.Shape | None:
        """Return the shape of this request's ``kind`` of query, if it has one."""
        key = self.query_shape()
        if key is None:
            return None
        filters = self.filter_stand_ins
        values = {} if filters is None else filters.values
        return prepared.Shape((kind, *key), self.stand_in_queryset, values)

    def stand_in_queryset(self) -> QuerySet:
        """Return this request's queryset, its filter values' stand-ins in it."""
        self.compiling_stand_ins = True
        try:
            return self.filter_queryset(self.get_queryset())
        finally:
            self.compiling_stand_ins = False

    def query_alias(self) -> str:
        """Return the database the queryset reads from, as QuerySet.db says."""
        model = self.queryset.model
        if self.request.method in READ_METHODS:
            return router.db_for_read(model)
        return router.db_for_write(model)

    def list(self, request, *args, **kwargs) -> Response:
        if self.related is not None:
            parent_id = parse_id(self.kwargs["parent_pk"])
            if not self.related.parent.objects.filter(pk=parent_id).exists():
                raise NotFound()
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Model:
        if self.related is None:
            pk = parse_id(self.kwargs["pk"])
            self.kwargs["pk"] = str(pk)
            shape = self.prepared_shape("get")
            if shape is None:
                return super().get_object()
            instance = prepared.get(self.query_alias(), shape, pk)
            self.check_object_permissions(self.request, instance)
            return instance
        instance = self.filter_queryset(self.get_queryset()).first()
        if instance is None:
            raise NotFound()
        self.check_object_permissions(self.request, instance)
        return instance


def find_clash(instance: Model) -> tuple[Model, list[str]] | None:
    """Return another row that shares a unique value with ``instance``.

    Costs one query per unique field or constraint until a clash is found;
    it only runs after the database refused a write.
    """
    model = type(instance)
    candidates = [
        ([field.name], None)
        for field in model._meta.fields
        if field.unique and not field.primary_key
    ] + [
        (list(constraint.fields), constraint.condition)
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    for fields, condition in candidates:
        values = {
            field: getattr(instance, model._meta.get_field(field).attname)
            for field in fields
        }
        if condition is not None and not all(
            getattr(instance, name) == value for name, value in condition.children
        ):
            continue
        existing = model.objects.filter(**values).exclude(pk=instance.pk)
        if condition is not None:
            existing = existing.filter(condition)
        found = existing.first()
        if found is not None:
            return found, fields
    return None


@dataclass(frozen=True)
class Relationship:
    """A relationship of a parent resource, for its related and self routes.

    ``column`` is the parent's foreign key for a to-one relationship
    (``track_id``) and the target's foreign key to the parent for a to-many
    one (``offer_id``).
    """

    parent: type[Model]
    target: type[ResourceViewSet]
    column: str
    many: bool = False

    @property
    def resource_type(self) -> str:
        return self.target.resource_name


class RelationshipView(APIView):
    """``/{type}/{id}/relationships/{name}``: read-only resource linkage.

    Relationships are fixed when a resource is created, so every write here
    is refused with a 403, as JSON:API prescribes for unsupported updates.
    """

    http_method_names = ["get", "head", "post", "patch", "delete"]
    resource_name = False
    relationships: dict[str, Relationship] = {}
    parent_viewset: type[ResourceViewSet] | None = None

    def get_queryset(self):
        return self.parent_viewset.queryset.all()

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # Linkage is never filtered, sorted, paged or included from.
        for parameter in request.query_params:
            raise InvalidQueryParameter(
                parameter,
                f"{parameter} is not a query parameter of relationship URLs: "
                "they take none.",
            )

    def get(self, request, pk: str, related_field: str) -> Response:
        relationship = self.relationships[related_field]
        parent_id = parse_id(pk)
        parents = relationship.parent.objects.filter(pk=parent_id)
        if relationship.many:
            if not parents.exists():
                raise NotFound()
            targets = relationship.target.queryset.filter(
                **{relationship.column: parent_id}
            )
            linkage = [
                {"type": relationship.resource_type, "id": str(target_id)}
                for target_id in targets.values_list("pk", flat=True)
            ]
        else:
            target_id = parents.values_list(relationship.column, flat=True).first()
            if target_id is None:
                raise NotFound()
            linkage = {"type": relationship.resource_type, "id": str(target_id)}
        related = reverse(
            f"{self.parent_viewset.url_name}-related",
            kwargs={"pk": pk, "related_field": related_field},
        )
        return Response(
            {
                "data": linkage,
                "links": {
                    "self": request.build_absolute_uri(),
                    "related": request.build_absolute_uri(related),
                },
            }
        )

    def refuse(self, request, pk: str, related_field: str) -> Response:
        raise Forbidden(
            f"{related_field} cannot be changed: relationships are fixed when a "
            "resource is created.",
            pointer="/data",
        )

    post = patch = delete = refuse


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Answer an unknown API URL with a JSON:API 404."""
    return jsonapi_response(
        [error_object(404, f"There is nothing at {request.path}.")], 404
    )


def jsonapi_response(errors: list[dict], status: int) -> JsonResponse:
    return JsonResponse(
        error_document(errors),
        status=status,
        content_type="application/vnd.api+json",
    )


def unavailable() -> JsonResponse:
    """The 503 the exception handler gives for a database outage."""
    error = ServiceUnavailable()
    response = jsonapi_response(error.error_objects(), error.status_code)
    response["Retry-After"] = str(error.retry_after)
    return response


API_PREFIXES = ("/api/", "/oauth/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: JSON:API for the API, the usual page elsewhere."""
    if request.path.startswith(API_PREFIXES):
        return not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: JSON:API for the API, the usual page elsewhere."""
    if request.path.startswith(API_PREFIXES):
        return jsonapi_response([error_object(500)], 500)
    return defaults.server_error(request)
