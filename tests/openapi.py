"""Check real responses against the OpenAPI document the API serves."""

import json
import re
from functools import cache

from django.test import Client
from openapi_schema_validator import OAS30ReadValidator

SCHEMA_URL = "/api/v1/schema"


@cache
def document() -> dict:
    return Client().get(SCHEMA_URL).json()


def resolve(node: dict) -> dict:
    """Follow ``$ref``s such as ``#/components/responses/Error404``."""
    while "$ref" in node:
        reference = node["$ref"]
        node = document()
        for part in reference.removeprefix("#/").split("/"):
            node = node[part]
    return node


def operation_for(method: str, path: str) -> dict:
    """Return the operation whose path template matches a concrete path."""
    for template, item in document()["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method in item:
            return item[method]
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


def response_schema(method: str, path: str, status: int, media_type: str) -> dict:
    responses = operation_for(method, path)["responses"]
    assert str(status) in responses, f"{method.upper()} {path} declares no {status}"
    response = resolve(responses[str(status)])
    return response["content"][media_type]["schema"]


def assert_conforms(response, method: str, path: str) -> None:
    """Validate a test client response against its declared schema."""
    media_type = response["Content-Type"].split(";")[0]
    schema = response_schema(
        method, path.split("?")[0], response.status_code, media_type
    )
    # The components travel with the schema, so its "#/components/..."
    # references resolve.
    validator = OAS30ReadValidator(
        {"components": document()["components"], "allOf": [schema]}
    )
    errors = sorted(validator.iter_errors(json.loads(response.content)), key=str)
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in errors[:5]
    )
