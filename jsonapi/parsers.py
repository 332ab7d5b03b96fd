"""Parse request documents, rejecting malformed ones with a precise 400."""

import json

from rest_framework_json_api.parsers import JSONParser
from rest_framework_json_api.utils import get_resource_name

from jsonapi.exceptions import Conflict, Forbidden, MalformedDocument

# Keys the parser adds to the parsed data so that the serializer can check
# the member names exactly as the client wrote them.
RAW_ATTRIBUTES = "_raw_attributes"
RAW_RELATIONSHIPS = "_raw_relationships"


class JSONAPIParser(JSONParser):
    """DJA's parser, with the document's structure checked before use.

    DJA trusts the shape of ``attributes``, ``relationships`` and resource
    identifiers and answers a 500 when they are not objects; this parser
    answers a 400 whose pointer names the bad member.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            document = json.loads(body)
        except RecursionError:
            raise MalformedDocument(
                "The request body is nested too deeply.", pointer=""
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedDocument(
                f"The request body is not valid JSON: {exc}", pointer=""
            ) from None
        return self.parse_data(document, parser_context)

    def parse_data(self, result, parser_context):
        view = parser_context["view"]
        check_document(result, parser_context["request"].method)
        check_identity(result["data"], parser_context, view)
        parsed = super().parse_data(result, parser_context)
        resource = result["data"]
        parsed[RAW_ATTRIBUTES] = list(resource.get("attributes") or {})
        parsed[RAW_RELATIONSHIPS] = list(resource.get("relationships") or {})
        return parsed


def check_document(document, method: str) -> None:
    if not isinstance(document, dict):
        raise MalformedDocument(
            "The request document must be a JSON object.", pointer=""
        )
    if "data" not in document:
        raise MalformedDocument(
            "The request document must have a data member.", pointer=""
        )
    resource = document["data"]
    if not isinstance(resource, dict):
        raise MalformedDocument("data must be a resource object.", pointer="/data")
    if not isinstance(resource.get("type"), str):
        raise MalformedDocument(
            "A resource object must have a type, as a string.", pointer="/data/type"
        )
    if "id" in resource:
        if method == "POST":
            raise Forbidden(
                "Client-generated ids are not supported: leave id out.",
                pointer="/data/id",
            )
        if not isinstance(resource["id"], str):
            raise MalformedDocument("id must be a string.", pointer="/data/id")
    for member in ("attributes", "relationships", "meta"):
        if member in resource and not isinstance(resource[member], dict):
            raise MalformedDocument(
                f"{member} must be an object.", pointer=f"/data/{member}"
            )
    for name, relationship in (resource.get("relationships") or {}).items():
        check_relationship(relationship, f"/data/relationships/{name}")


def check_identity(resource: dict, parser_context: dict, view) -> None:
    expected_type = get_resource_name(parser_context)
    if resource["type"] != expected_type:
        raise Conflict(
            f"This endpoint takes {expected_type} resources, not {resource['type']}.",
            pointer="/data/type",
        )
    url_id = view.kwargs.get("pk")
    if url_id is None:
        return
    if "id" not in resource:
        raise MalformedDocument(
            "The resource object must have the id of the resource to update.",
            pointer="/data",
        )
    if resource["id"] != url_id:
        raise Conflict(
            f"The resource object's id ({resource['id']}) is not the id in the "
            f"URL ({url_id}).",
            pointer="/data/id",
        )


def check_relationship(relationship, pointer: str) -> None:
    if not isinstance(relationship, dict) or "data" not in relationship:
        raise MalformedDocument(
            "A relationship must be an object with a data member.", pointer=pointer
        )
    linkage = relationship["data"]
    if isinstance(linkage, list):
        for position, identifier in enumerate(linkage):
            check_identifier(identifier, f"{pointer}/data/{position}")
    elif linkage is not None:
        check_identifier(linkage, f"{pointer}/data")


def check_identifier(identifier, pointer: str) -> None:
    if not isinstance(identifier, dict):
        raise MalformedDocument(
            'A resource identifier must be an object like {"type": ..., "id": ...}.',
            pointer=pointer,
        )
    for member in ("type", "id"):
        if not isinstance(identifier.get(member), str):
            raise MalformedDocument(
                f"A resource identifier must have a {member}, as a string.",
                pointer=f"{pointer}/{member}",
            )
