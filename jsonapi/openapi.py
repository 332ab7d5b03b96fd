"""The OpenAPI 3 document, generated from the views and serializers.

drf-spectacular-jsonapi maps serializers to JSON:API resource objects. This
module adds what it cannot see in this API: the related and relationship
routes (one operation per relationship name), ``fields[TYPE]`` for every
type a request may return, and path ids described by their resource. The
document-wide fixes are postprocessing hooks in ``jsonapi.openapi_hooks``.
"""

import inspect

from drf_spectacular import generators
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_array_type, build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular_jsonapi.schemas.openapi import JsonApiAutoSchema
from rest_framework_json_api.serializers import SparseFieldsetsMixin
from rest_framework_json_api.utils import get_resource_type_from_serializer

from jsonapi import registry
from jsonapi.negotiation import MEDIA_TYPE
from jsonapi.openapi_hooks import JSONAPI_MEMBER, LINK
from jsonapi.views import RelationshipView

RELATED_FIELD = "{related_field}"
SUMMARIES = {
    "list": "List {type}",
    "create": "Create a {type} resource",
    "retrieve": "Get a {type} resource",
    "partial_update": "Update a {type} resource",
    "destroy": "Delete a {type} resource",
}


def _is_related_route(callback) -> bool:
    """Tell the related-resource dispatcher of ``jsonapi.routes`` apart."""
    return hasattr(callback, "targets")


def _is_relationship_route(callback) -> bool:
    return getattr(callback, "cls", None) is RelationshipView


class EndpointEnumerator(generators.EndpointEnumerator):
    """Lists each related and relationship route once per relationship name.

    The URL patterns match every name of a resource with one regular
    expression, and the related route dispatches to a plain function; the
    document wants one operation per name, with the view that serves it.
    Relationship routes are read-only (writes answer 403), so only their
    GET is listed.
    """

    def should_include_endpoint(self, path, callback, *args, **kwargs) -> bool:
        if _is_related_route(callback):
            return True
        return super().should_include_endpoint(path, callback, *args, **kwargs)

    def get_allowed_methods(self, callback) -> list[str]:
        if _is_related_route(callback) or _is_relationship_route(callback):
            return ["GET"]
        return super().get_allowed_methods(callback)

    def _get_api_endpoints(self, patterns, prefix) -> list[tuple]:
        endpoints = []
        for path, regex, method, callback in super()._get_api_endpoints(
            patterns, prefix
        ):
            if RELATED_FIELD not in path:
                endpoints.append((path, regex, method, callback))
                continue
            if _is_related_route(callback):
                views = callback.targets
            else:
                views = dict.fromkeys(callback.initkwargs["relationships"], callback)
            endpoints += [
                (path.replace(RELATED_FIELD, name), regex, method, view)
                for name, view in views.items()
            ]
        return endpoints


class SchemaGenerator(generators.SchemaGenerator):
    endpoint_inspector_cls = EndpointEnumerator


class AutoSchema(JsonApiAutoSchema):
    def get_tags(self) -> list[str]:
        # drf-spectacular's own rule, the first path segment, files the
        # related and relationship routes under the resource that owns them.
        return SpectacularAutoSchema.get_tags(self)

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict]:
        """Describe path ids: every one is the id of the URL's first resource."""
        resource_type = self.get_tags()[0]
        return [
            build_parameter_type(
                name=variable,
                location=OpenApiParameter.PATH,
                schema={"type": "integer", "minimum": 1},
                description=f"The id of the {resource_type} resource.",
            )
            for variable in variables
        ]

    def get_sparse_fieldset_parameters(self) -> dict:
        """``fields[TYPE]`` for the primary type and every includable one."""
        serializer = self._get_serializer()
        if not isinstance(serializer, SparseFieldsetsMixin):
            return {}
        included = getattr(serializer, "included_serializers", {})
        types = [get_resource_type_from_serializer(serializer)] + [
            get_resource_type_from_serializer(value) for value in included.values()
        ]
        return {
            (f"fields[{resource_type}]", OpenApiParameter.QUERY): build_parameter_type(
                name=f"fields[{resource_type}]",
                location=OpenApiParameter.QUERY,
                schema=build_array_type(
                    {
                        "type": "string",
                        "enum": sorted(registry.fields_of_type(resource_type)),
                    }
                ),
                explode=False,
                description=(
                    f"Return only these members of {resource_type} resources."
                ),
            )
            for resource_type in types
        }

    def _get_serializer(self):
        # Linkage has no serializer: _linkage_response describes it, and
        # drf-spectacular would otherwise report the view as an error.
        if isinstance(self.view, RelationshipView):
            return None
        return super()._get_serializer()

    def _get_response_bodies(self, direction: str = "response") -> dict:
        if isinstance(self.view, RelationshipView):
            return {"200": self._linkage_response()}
        return super()._get_response_bodies(direction)

    def get_summary(self) -> str:
        parent = self.get_tags()[0]
        name = self._tokenize_path()[-1]
        if isinstance(self.view, RelationshipView):
            return f"Get the linkage of the {name} of one {parent} resource"
        if self.view.related is not None:
            return f"Get the {name} of one {parent} resource"
        return SUMMARIES[self.view.action].format(type=self.view.resource_name)

    def get_description(self) -> str:
        if isinstance(self.view, RelationshipView):
            return (
                "Relationships are fixed when a resource is created: POST, "
                "PATCH and DELETE on this URL answer 403."
            )
        # Only a view's own docstring: the inherited one is about the code.
        return inspect.cleandoc(vars(type(self.view)).get("__doc__") or "")

    def _linkage_response(self) -> dict:
        name = self.path.rsplit("/", 1)[-1]
        relationship = self.view.relationships[name]
        identifier = {
            "type": "object",
            "required": ["type", "id"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": [relationship.resource_type]},
                "id": {"type": "string"},
            },
        }
        return {
            "description": f"The linkage of {name}.",
            "content": {
                MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "jsonapi": JSONAPI_MEMBER,
                            "data": (
                                build_array_type(identifier)
                                if relationship.many
                                else identifier
                            ),
                            "links": {
                                "type": "object",
                                "properties": {
                                    "self": LINK,
                                    "related": LINK,
                                },
                            },
                        },
                    }
                }
            },
        }
