"""Render JSON:API documents as the API documentation shows them."""

from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework_json_api.relations import SkipDataMixin
from rest_framework_json_api.renderers import JSONRenderer
from rest_framework_json_api.utils import (
    format_field_names,
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
        return super().render(data, accepted_media_type, renderer_context)


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
    def extract_relationships(cls, fields, resource, resource_instance):
        """Return the relationships object of one resource.

        DJA's version tries a dozen kinds of field and works out each one's
        resource type again for every row. This API's relationships are all
        TypedRelatedFields, whose links and linkage are known directly; any
        other kind of relationship goes to DJA.
        """
        if resource_instance is None:
            return None
        relationships = {}
        for name, field in fields.items():
            if (
                name == api_settings.URL_FIELD_NAME
                or field.write_only
                or not is_relationship_field(field)
            ):
                continue
            if not isinstance(field, TypedRelatedField):
                return super().extract_relationships(
                    fields, resource, resource_instance
                )
            relationship = {}
            links = field.get_links(resource_instance, field.related_link_lookup_field)
            if links:
                relationship["links"] = links
            if not isinstance(field, SkipDataMixin):
                relationship["data"] = resource.get(name)
            relationships[name] = relationship
        return format_field_names(relationships)

    @classmethod
    def extract_included(
        cls, fields, resource, resource_instance, included_resources, included_cache
    ):
        # DJA looks through every field of every row even when nothing is
        # to be included.
        if not included_resources:
            return
        super().extract_included(
            fields, resource, resource_instance, included_resources, included_cache
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
