"""Render JSON:API documents as the API documentation shows them."""

from collections.abc import Callable

import orjson
from rest_framework import renderers
from rest_framework.relations import HyperlinkedIdentityField
from rest_framework.settings import api_settings
from rest_framework_json_api.relations import SkipDataMixin
from rest_framework_json_api.renderers import JSONRenderer
from rest_framework_json_api.utils import (
    format_field_name,
    get_resource_id,
    get_resource_type_from_serializer,
    is_relationship_field,
    undo_format_field_name,
)

from jsonapi import JSONAPI_OBJECT
from jsonapi.relations import TypedRelatedField


class _DocumentFinish(renderers.JSONRenderer):
    """Adds the top-level members every document of this API carries.

    Sits between DJA's renderer and DRF's in the method resolution order, so
    it sees the finished document just before it is encoded.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            data = {**data, "jsonapi": JSONAPI_OBJECT}
            primary = data.get("data")
            request = (renderer_context or {}).get("request")
            if isinstance(primary, dict) and request is not None:
                data["links"] = {
                    **data.get("links", {}),
                    "self": self_link(primary, request),
                }
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return encode(data)
        except orjson.JSONEncodeError:
            # What orjson refuses and Python's json module takes (an integer
            # wider than 64 bits, say), or what neither can encode: DRF
            # answers as it always has.
            return super().render(data, accepted_media_type, renderer_context)


# Types orjson would write in its own way, or not at all, go to DRF's
# encoder, which knows lazy translations, dates, decimals and the like.
_FALLBACK = renderers.JSONRenderer.encoder_class()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# DRF escapes these two characters so that a document is also valid
# JavaScript; orjson does not.
_LINE_SEPARATORS = (b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029")


def encode(data) -> bytes:
    """Return ``data`` as compact UTF-8 JSON, as DRF writes it, with orjson.

    The same bytes as DRF's JSONRenderer (compact separators, non-ASCII
    characters unescaped, U+2028 and U+2029 escaped, dates as DRF formats
    them) in a fraction of the time; only a float that Python writes with
    an exponent is spelled differently (``1e16`` for ``1e+16``). Raises
    ``orjson.JSONEncodeError`` for what orjson cannot encode.
    """
    body = orjson.dumps(data, default=_FALLBACK.default, option=_OPTIONS)
    for raw, escaped in _LINE_SEPARATORS:
        if raw in body:
            body = body.replace(raw, escaped)
    return body


def self_link(primary: dict, request) -> str:
    """Return the link that fetches this document again.

    That is the request's URL, except after a create, where it is the new
    resource's URL.
    """
    resource_link = primary.get("links", {}).get("self")
    if request.method == "POST" and resource_link:
        return resource_link
    return request.build_absolute_uri()


class JSONAPIRenderer(JSONRenderer, _DocumentFinish):
    def render_errors(self, data, accepted_media_type=None, renderer_context=None):
        # The exception handler already built the whole error document.
        return _DocumentFinish.render(self, data, accepted_media_type, renderer_context)

    @classmethod
    def build_json_resource_obj(
        cls,
        fields,
        resource,
        resource_instance,
        resource_name,
        serializer,
        force_type_resolution=False,
    ):
        """Return one resource object: type, id, attributes, relationships...

        DJA sorts every field of every row into attribute, relationship,
        link or meta, and formats its name, again for each row. That depends
        only on the serializer's fields and the sparse fieldset, so it is
        worked out once per request (``_Layout``) and each row only copies
        values into place.
        """
        if force_type_resolution:
            return super().build_json_resource_obj(
                fields,
                resource,
                resource_instance,
                resource_name,
                serializer,
                force_type_resolution,
            )
        layout = _layout(cls, fields, resource_name, serializer)
        resource_object = {
            "type": resource_name,
            "id": get_resource_id(resource_instance, resource),
        }
        attributes = {
            member: resource[name]
            for name, member in layout.attributes
            if name in resource
        }
        if attributes:
            resource_object["attributes"] = attributes
        relationships = layout.relationships(resource, resource_instance)
        if relationships:
            resource_object["relationships"] = relationships
        if layout.url and api_settings.URL_FIELD_NAME in resource:
            resource_object["links"] = {"self": resource[api_settings.URL_FIELD_NAME]}
        meta = {
            member: resource[name] for name, member in layout.meta if name in resource
        }
        if meta:
            resource_object["meta"] = meta
        return resource_object

    @classmethod
    def extract_included(
        cls, fields, resource, resource_instance, included_resources, included_cache
    ):
        """Add the resources named in ``include`` that this row relates to.

        DJA builds a new serializer, and binds all its fields, for every
        related row of every page row. To-one TypedRelatedFields, all this
        API includes, share one serializer per request instead; any other
        kind of relationship goes to DJA.
        """
        # DJA looks through every field of every row even when nothing is
        # to be included.
        if not included_resources or not resource_instance:
            return
        wanted = [
            (name, field)
            for name, field in fields.items()
            if name in {path.split(".")[0] for path in included_resources}
            and is_relationship_field(field)
        ]
        if not all(isinstance(field, TypedRelatedField) for _, field in wanted):
            super().extract_included(
                fields, resource, resource_instance, included_resources, included_cache
            )
            return
        for name, field in wanted:
            linkage = resource.get(name)
            if not linkage or linkage["id"] in included_cache[linkage["type"]]:
                continue
            related = cls.extract_relation_instance(field, resource_instance)
            if related is None:
                continue
            serializer = _included_serializer(fields.serializer, name)
            data = serializer.to_representation(related)
            item = cls.build_json_resource_obj(
                serializer.fields,
                data,
                related,
                get_resource_type_from_serializer(serializer),
                serializer,
                getattr(serializer, "_poly_force_type_resolution", False),
            )
            included_cache[item["type"]][item["id"]] = item
            cls.extract_included(
                serializer.fields,
                data,
                related,
                [
                    path.split(".", 1)[1]
                    for path in included_resources
                    if path.startswith(f"{name}.")
                ],
                included_cache,
            )

    @classmethod
    def _filter_sparse_fields(cls, serializer, fields, resource_name):
        """Keep the fields named in ``fields[TYPE]``, spelled as clients do.

        DJA compares the requested names with Python field names, which
        drops every multi-word field such as ``release-date``.
        """
        request = serializer.context.get("request")
        requested = request and request.query_params.get(f"fields[{resource_name}]")
        if requested is None:
            return fields
        wanted = {undo_format_field_name(name) for name in requested.split(",")}
        return {
            name: field
            for name, field in fields.items()
            if name in wanted or name == api_settings.URL_FIELD_NAME
        }


class _Layout:
    """Where each field of one serializer goes in its resource objects."""

    def __init__(self, fields: dict, serializer) -> None:
        self.fields = fields
        self.attributes: list[tuple[str, str]] = []
        # (field, member name, whether it renders linkage, links function)
        self.typed: list[tuple[TypedRelatedField, str, bool, Callable | None]] = []
        # Set when a relationship is of a kind DJA must render itself.
        self.other_relationships = False
        for name, field in fields.items():
            if name == "id" or name == api_settings.URL_FIELD_NAME:
                continue
            if not is_relationship_field(field):
                self.attributes.append((name, format_field_name(name)))
            elif field.write_only:
                continue
            elif isinstance(field, TypedRelatedField):
                linkage = not isinstance(field, SkipDataMixin)
                self.typed.append(
                    (field, format_field_name(name), linkage, field.links_maker())
                )
            else:
                self.other_relationships = True
        url_field = fields.get(api_settings.URL_FIELD_NAME)
        self.url = isinstance(url_field, HyperlinkedIdentityField)
        meta = getattr(getattr(serializer, "child", serializer), "Meta", None)
        self.meta = [
            (name, format_field_name(name)) for name in getattr(meta, "meta_fields", ())
        ]

    def relationships(self, resource: dict, instance) -> dict | None:
        if instance is None:
            return None
        if self.other_relationships:
            return JSONRenderer.extract_relationships(self.fields, resource, instance)
        relationships = {}
        for field, member, linkage, links_of in self.typed:
            relationship = {}
            links = (
                links_of(instance)
                if links_of is not None
                else field.get_links(instance, field.related_link_lookup_field)
            )
            if links:
                relationship["links"] = links
            if linkage:
                relationship["data"] = resource.get(field.field_name)
            relationships[member] = relationship
        return relationships


def _included_serializer(parent, name: str):
    """Return the serializer of the included ``name`` of ``parent``, one per request.

    A serializer without an instance renders any row given to
    ``to_representation``; its fields are bound once.
    """
    context = parent.context
    request = context.get("request")
    serializers = getattr(request, "_included_serializers", None)
    if serializers is None:
        serializers = {}
        if request is not None:
            request._included_serializers = serializers
    key = (type(parent), name)
    if key not in serializers:
        serializers[key] = parent.included_serializers[name](context=context)
    return serializers[key]


def _layout(renderer, fields: dict, resource_name: str, serializer) -> _Layout:
    """Return the layout of ``fields``, kept on the request it renders."""
    request = serializer.context.get("request")
    key = (type(getattr(serializer, "child", serializer)), resource_name, *fields)
    layouts = getattr(request, "_resource_layouts", None)
    if layouts is None:
        layouts = {}
        if request is not None:
            request._resource_layouts = layouts
    if key not in layouts:
        visible = renderer._filter_sparse_fields(serializer, fields, resource_name)
        layouts[key] = _Layout(visible, serializer)
    return layouts[key]
