"""Relationship fields that know their resource type up front.

DJA's ResourceRelatedField loads each related object to learn its type
unless an included serializer names it: one query per row. These fields
are told the type, so a page of resources renders its linkage from the
foreign key columns alone.
"""

from collections.abc import Callable

from django.db.models import Model
from rest_framework.relations import HyperlinkedIdentityField, PKOnlyObject
from rest_framework_json_api.relations import ResourceRelatedField, SkipDataMixin
from rest_framework_json_api.utils import format_field_name, format_link_segment

from jsonapi.exceptions import Conflict, RelatedNotFound
from jsonapi.links import resource_url, url_maker

MAX_ID = 2**63 - 1


def id_from_text(raw: str) -> int | None:
    """Return the number a client wrote as an id, or None if no row has it.

    Digits only, at most MAX_ID. The length is checked first: int() refuses
    strings of more than 4,300 digits with a ValueError.
    """
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw.lstrip("0")) > len(str(MAX_ID)) or int(raw) > MAX_ID:
        return None
    return int(raw)


class TypedRelatedField(ResourceRelatedField):
    """A to-one relationship rendered with data linkage and links."""

    def __init__(self, resource_type: str, **kwargs) -> None:
        self.resource_type = resource_type
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return True

    def to_representation(self, value: PKOnlyObject) -> dict:
        return {"type": self.resource_type, "id": str(value.pk)}

    def shortcut(self) -> Callable[[Model], dict | None] | None:
        """Return a function from a row to its linkage, or None to go DRF's way.

        DRF wraps each row's foreign key in a PKOnlyObject first; a plain
        ``source`` needs only the key column.
        """
        if isinstance(self, SkipDataMixin) or len(self.source_attrs) != 1:
            return None
        source = self.source_attrs[0]
        resource_type = self.resource_type

        def linkage(instance: Model) -> dict | None:
            pk = instance.serializable_value(source)
            return None if pk is None else {"type": resource_type, "id": str(pk)}

        return linkage

    def get_links(self, obj=None, lookup_field: str = "pk") -> dict:
        """The relationship's self and related links, without a resolver pass.

        The same links as DJA's, which reverses two URLs for every row.
        """
        request = self.context.get("request")
        if (
            obj is None
            or request is None
            or lookup_field != "pk"
            or self.related_link_url_kwarg != "pk"
        ):
            return super().get_links(obj, lookup_field)
        segment = format_link_segment(self.field_name)
        links = {}
        for name, view_name in (
            ("self", self.self_link_view_name),
            ("related", self.related_link_view_name),
        ):
            if view_name:
                links[name] = resource_url(
                    request, view_name, obj.pk, related_field=segment
                )
        return links

    def links_maker(self) -> Callable[[Model], dict] | None:
        """Return a function from a row to ``get_links(row)``, or None.

        None where ``get_links`` would not take its short cut either.
        """
        request = self.context.get("request")
        if (
            request is None
            or self.related_link_lookup_field != "pk"
            or self.related_link_url_kwarg != "pk"
        ):
            return None
        segment = format_link_segment(self.field_name)
        makers = [
            (name, url_maker(request, view_name, related_field=segment))
            for name, view_name in (
                ("self", self.self_link_view_name),
                ("related", self.related_link_view_name),
            )
            if view_name
        ]

        def links(instance: Model) -> dict:
            pk = instance.pk
            if not isinstance(pk, int):
                return self.get_links(instance, "pk")
            return {name: make(pk) for name, make in makers}

        return links

    def to_internal_value(self, data: dict):
        pointer = f"/data/relationships/{format_field_name(self.field_name)}/data"
        if data["type"] != self.resource_type:
            raise Conflict(
                f"{format_field_name(self.field_name)} takes {self.resource_type}, "
                f"not {data['type']}.",
                pointer=f"{pointer}/type",
            )
        related = None
        related_id = id_from_text(data["id"])
        if related_id is not None:
            related = self.get_queryset().filter(pk=related_id).first()
        if related is None:
            raise RelatedNotFound(
                f"There is no {self.resource_type} resource with id {data['id']}.",
                pointer=f"{pointer}/id",
            )
        return related


class LinksOnlyField(SkipDataMixin, TypedRelatedField):
    """A to-many relationship rendered as links only, with no query."""

    def __init__(self, resource_type: str, **kwargs) -> None:
        super().__init__(resource_type, read_only=True, **kwargs)


class ResourceLinkField(HyperlinkedIdentityField):
    """The resource's own link (``links.self``), without a resolver pass."""

    def shortcut(self) -> Callable[[Model], str] | None:
        """Return a function from a row to its link, or None to go DRF's way."""
        request = self.context.get("request")
        if (
            request is None
            or self.context.get("format")
            or self.lookup_url_kwarg != "pk"
            or self.lookup_field != "pk"
        ):
            return None
        view_name = self.view_name
        make = url_maker(request, view_name)

        def link(instance: Model) -> str:
            pk = instance.pk
            if not isinstance(pk, int):
                return resource_url(request, view_name, pk)
            return make(pk)

        return link

    def get_url(self, obj, view_name: str, request, format):
        if request is None or format is not None or self.lookup_url_kwarg != "pk":
            return super().get_url(obj, view_name, request, format)
        return resource_url(request, view_name, getattr(obj, self.lookup_field))
