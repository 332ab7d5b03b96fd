"""Postprocessing hooks: fix what drf-spectacular-jsonapi gets wrong.

It types ids as the model's integers, marks every attribute of a response
required, names filters as Python does, knows nothing of the ``links``,
``jsonapi`` and ``included`` members the renderer writes, and declares no
error responses. Each hook fixes one of those across the whole document,
from the serializers registered in ``jsonapi.registry``, so the document
keeps following the code.
"""

import re
from collections.abc import Iterator

from rest_framework_json_api.relations import SkipDataMixin
from rest_framework_json_api.serializers import ModelSerializer
from rest_framework_json_api.utils import (
    format_field_name,
    get_resource_type_from_serializer,
    undo_format_field_name,
)

from jsonapi import registry
from jsonapi.exceptions import title_for
from jsonapi.negotiation import MEDIA_TYPE
from jsonapi.relations import TypedRelatedField

# Not "format: uri": links keep the brackets of query parameters unescaped
# (page[number]=2), as JSON:API writes them, and RFC 3986 does not allow
# brackets in a query.
LINK = {
    "type": "string",
    "pattern": "^https?://",
    "description": "An absolute URL; brackets in the query are not escaped.",
}
JSONAPI_MEMBER = {
    "type": "object",
    "properties": {"version": {"type": "string", "enum": ["1.0"]}},
}
FILTER = re.compile(r"filter\[(?P<name>[^\]]+)\]")

ERROR_OBJECT = {
    "type": "object",
    "required": ["status", "title"],
    "properties": {
        "status": {"type": "string", "description": "The HTTP status code."},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "source": {
            "type": "object",
            "properties": {
                "pointer": {
                    "type": "string",
                    "description": "A JSON Pointer into the request document.",
                },
                "parameter": {
                    "type": "string",
                    "description": "The query parameter that caused the error.",
                },
            },
        },
        "links": {
            "type": "object",
            "properties": {
                "about": {**LINK, "description": "The resource that clashed."}
            },
        },
    },
}

# What each status means in this API, as the README's error table says.
ERROR_CAUSES = {
    400: "A malformed document, or an unknown, repeated or empty query "
    "parameter, filter, sort, include or field (source.parameter names it).",
    401: "No token, or an unknown, expired or revoked one.",
    403: "The user lacks the Django model permission, the document has a "
    "client-generated id, or it changes a relationship fixed at creation.",
    404: "No such resource, or no such related resource.",
    406: "Accept names the JSON:API media type only with media type parameters.",
    409: "A wrong type or an id that does not match the URL; a uniqueness clash "
    "(links.about names the existing resource); a resource still in use.",
    413: "The body is larger than MAX_REQUEST_BODY_BYTES.",
    415: "The body was not sent as application/vnd.api+json without parameters.",
    422: "Invalid attribute values, unknown members or usage keys, or a track "
    "from another product.",
}


def _walk(node) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _resource_type(schema: dict) -> str | None:
    """Return the type of a resource object schema, None for other schemas."""
    properties = schema.get("properties", {})
    types = properties.get("type", {}).get("enum", [])
    if len(types) == 1 and types[0] in registry.SERIALIZERS:
        return types[0]
    return None


def _resources(result: dict, *, requests: bool) -> Iterator[tuple[dict, object]]:
    """Yield resource object schemas of requests or responses, each with a
    serializer instance of its type."""
    for name, schema in result["components"]["schemas"].items():
        if name.endswith("Request") != requests:
            continue
        if requests:
            schema = schema.get("properties", {}).get("data", {})
        resource_type = _resource_type(schema)
        if resource_type is not None:
            yield schema, registry.SERIALIZERS[resource_type]()


def string_ids(result: dict, **kwargs) -> dict:
    """Type every resource and identifier id as a string, as JSON:API does."""
    for schema in _walk(result):
        properties = schema.get("properties")
        if (
            isinstance(properties, dict)
            and "id" in properties
            and "enum" in properties.get("type", {})
        ):
            properties["id"] = {"type": "string", "example": "1"}
    return result


def sparse_fieldsets(result: dict, **kwargs) -> dict:
    """Make response members optional: ``fields[TYPE]`` can leave any out."""
    for schema, _ in _resources(result, requests=False):
        for member in ("attributes", "relationships"):
            schema["properties"].get(member, {}).pop("required", None)
    return result


def request_bodies(result: dict, **kwargs) -> dict:
    """Keep read-only members out of request documents.

    And require ``attributes`` or ``relationships`` themselves where they
    hold required members, as on a create.
    """
    for schema, _ in _resources(result, requests=True):
        for member in ("attributes", "relationships"):
            body = schema["properties"].get(member)
            if body is None:
                continue
            body["properties"] = {
                name: value
                for name, value in body["properties"].items()
                if not value.get("readOnly")
            }
            if not body["properties"]:
                del schema["properties"][member]
            elif body.get("required"):
                schema["required"].append(member)
    return result


def document_members(result: dict, **kwargs) -> dict:
    """Add the members the renderer writes around the serializer's fields.

    Resource objects get ``links`` and ``meta`` (with any ``Meta.meta_fields``
    moved there from the attributes), relationships get ``links``, and
    documents get ``jsonapi``, ``links`` and ``included``.
    """
    schemas = result["components"]["schemas"]
    names = {}
    for name, schema in schemas.items():
        resource_type = _resource_type(schema)
        if resource_type is not None and not name.endswith("Request"):
            names[resource_type] = name
            complete_resource(schema, registry.SERIALIZERS[resource_type]())
    for schema in schemas.values():
        resource_type = _primary_type(schema, schemas)
        if resource_type is None:
            continue
        properties = schema["properties"]
        properties["jsonapi"] = JSONAPI_MEMBER
        properties.setdefault("links", {"type": "object", "properties": {"self": LINK}})
        serializer = registry.SERIALIZERS[resource_type]
        included = [
            {"$ref": f"#/components/schemas/{names[included_type]}"}
            for included_type in _included_types(serializer)
        ]
        if included:
            properties["included"] = {"type": "array", "items": {"oneOf": included}}
    return result


def complete_resource(schema: dict, serializer) -> None:
    properties = schema["properties"]
    properties["links"] = {"type": "object", "properties": {"self": LINK}}
    attributes = properties.get("attributes", {}).get("properties", {})
    meta = {
        format_field_name(name): attributes.pop(format_field_name(name))
        for name in getattr(serializer.Meta, "meta_fields", ())
        if format_field_name(name) in attributes
    }
    properties["meta"] = {"type": "object", "properties": meta}
    relationships = properties.get("relationships", {}).get("properties", {})
    for name, relationship in relationships.items():
        relationship["properties"]["links"] = {
            "type": "object",
            "properties": {"self": LINK, "related": LINK},
        }
        field = serializer.fields[undo_format_field_name(name)]
        if isinstance(field, SkipDataMixin):
            # Rendered as links only: listing the linkage would cost a query.
            del relationship["properties"]["data"]
            relationship.pop("required", None)


def _primary_type(schema: dict, schemas: dict) -> str | None:
    """Return the resource type of a document's primary data, if any."""
    data = schema.get("properties", {}).get("data", {})
    reference = data.get("$ref") or data.get("items", {}).get("$ref")
    if reference is None:
        return None
    return _resource_type(schemas[reference.rsplit("/", 1)[-1]])


def _included_types(serializer_class: type) -> list[str]:
    included = getattr(serializer_class, "included_serializers", {})
    return [get_resource_type_from_serializer(value) for value in included.values()]


def filter_names(result: dict, **kwargs) -> dict:
    """Name filters as clients write them: ``filter[track-id]``."""
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            match = FILTER.fullmatch(parameter["name"])
            if match:
                parameter["name"] = f"filter[{format_field_name(match['name'])}]"
    return result


def error_responses(result: dict, **kwargs) -> dict:
    """Declare the error documents each API operation can answer with."""
    result["components"]["schemas"]["Error"] = ERROR_OBJECT
    result["components"]["schemas"]["ErrorDocument"] = {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "jsonapi": JSONAPI_MEMBER,
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Error"},
            },
        },
    }
    result["components"]["responses"] = {
        f"Error{status}": {
            "description": f"{title_for(status)}: {cause}",
            "content": {
                MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorDocument"}}
            },
        }
        for status, cause in ERROR_CAUSES.items()
    }
    for path, item in result["paths"].items():
        for method, operation in item.items():
            for status in error_statuses(path, method):
                operation["responses"][str(status)] = {
                    "$ref": f"#/components/responses/Error{status}"
                }
    return result


def error_statuses(path: str, method: str) -> list[int]:
    """Return the 4xx statuses an operation of the API can answer."""
    statuses = {400, 401, 403, 406}
    if "{" in path:
        statuses.add(404)
    if method in ("post", "patch"):
        # 404 too: a relationship can name a resource that does not exist.
        statuses |= {404, 409, 413, 415, 422}
    if method == "delete":
        statuses.add(409)
    return sorted(statuses)


NEW_ID = "$response.body#/data/id"


def create_links(result: dict, **kwargs) -> dict:
    """Link each create to what a client does next with the new resource.

    Read, update and delete it, follow its relationships, and create the
    resources that take it as a to-one relationship (a track of a new
    product). An update's or a create's ``requestBody`` is a template that
    only names the members the new id fills in (JSON:API wants the id in
    the document too); tools such as schemathesis merge it into a body of
    their own.
    """
    operations = {
        operation["operationId"]: (path, method, operation)
        for path, item in result["paths"].items()
        for method, operation in item.items()
    }
    for resource_type in registry.SERIALIZERS:
        created = operations.get(f"{_operation_prefix(resource_type)}_create")
        if created is None:
            continue
        links = {
            operation_id: _link_to(operation_id, method, resource_type)
            for operation_id, (path, method, _) in operations.items()
            if re.search(rf"/{resource_type}/{{id}}(/|$)", path)
        }
        links |= {
            operation_id: {"operationId": operation_id, "requestBody": body}
            for operation_id, body in _creates_taking(resource_type)
            if operation_id in operations
        }
        created[2]["responses"]["201"]["links"] = links
    return result


def _operation_prefix(resource_type: str) -> str:
    return resource_type.replace("-", "_")


def _link_to(operation_id: str, method: str, resource_type: str) -> dict:
    link = {"operationId": operation_id, "parameters": {"path.id": NEW_ID}}
    if method == "patch":
        link["requestBody"] = {"data": {"type": resource_type, "id": NEW_ID}}
    return link


def _creates_taking(resource_type: str) -> Iterator[tuple[str, dict]]:
    """Yield the creates whose to-one relationship takes ``resource_type``."""
    for other_type, serializer_class in registry.SERIALIZERS.items():
        serializer: ModelSerializer = serializer_class()
        for name, field in serializer.fields.items():
            if (
                isinstance(field, TypedRelatedField)
                and not field.read_only
                and field.resource_type == resource_type
            ):
                identifier = {"type": resource_type, "id": NEW_ID}
                relationship = {format_field_name(name): {"data": identifier}}
                yield (
                    f"{_operation_prefix(other_type)}_create",
                    {"data": {"relationships": relationship}},
                )


def _operations(result: dict) -> Iterator[dict]:
    for item in result["paths"].values():
        yield from item.values()
