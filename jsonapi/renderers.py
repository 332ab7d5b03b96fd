"""Render JSON:API documents as the API documentation shows them."""

from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework_json_api.renderers import JSONRenderer
from rest_framework_json_api.utils import undo_format_field_name

from jsonapi import JSONAPI_OBJECT


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
