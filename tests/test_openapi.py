"""GET /api/v1/schema: a valid OpenAPI 3 document that says what clients see."""

import json
import re

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

from jsonapi.openapi_hooks import complete_resource
from tests.openapi import document, operation_for, resolve

pytestmark = pytest.mark.django_db

SCHEMA_MEDIA_TYPE = "application/vnd.oai.openapi+json"


def schemas() -> dict:
    return document()["components"]["schemas"]


def parameter_names(method: str, path: str) -> set[str]:
    return {
        parameter["name"] for parameter in operation_for(method, path)["parameters"]
    }


def test_the_document_is_valid_openapi_3():
    validate(document())

    assert document()["openapi"].startswith("3.0")


def test_it_is_public_and_served_as_openapi_json(client):
    response = client.get("/api/v1/schema", HTTP_AUTHORIZATION="Bearer revoked")

    assert response.status_code == 200
    assert response["Content-Type"] == SCHEMA_MEDIA_TYPE
    assert response.json()["info"]["title"] == "trackoffers"


def test_it_is_served_as_plain_json_to_clients_that_ask(client):
    response = client.get("/api/v1/schema", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_it_documents_every_route_with_each_relationship_name():
    relationships = {
        "products": ["tracks", "offers"],
        "tracks": ["product", "track-offers"],
        "offers": ["product", "track-offers"],
        "track-offers": ["track", "offer"],
    }
    expected = {"/oauth/token"}
    for resource, names in relationships.items():
        expected |= {f"/api/v1/{resource}", f"/api/v1/{resource}/{{id}}"}
        for name in names:
            expected |= {
                f"/api/v1/{resource}/{{id}}/{name}",
                f"/api/v1/{resource}/{{id}}/relationships/{name}",
            }

    assert set(document()["paths"]) == expected


def test_track_offers_have_every_documented_operation():
    paths = document()["paths"]

    assert set(paths["/api/v1/track-offers"]) == {"get", "post"}
    assert set(paths["/api/v1/track-offers/{id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/track-offers/{id}/relationships/track"]) == {"get"}


def test_ids_are_strings_in_resources_and_relationships():
    track_offer = schemas()["TrackOffer"]["properties"]
    request = schemas()["TrackOfferRequest"]["properties"]["data"]["properties"]

    assert track_offer["id"]["type"] == "string"
    for resource in (track_offer, request):
        for name in ("track", "offer"):
            linkage = resource["relationships"]["properties"][name]
            assert linkage["properties"]["data"]["properties"]["id"] == {
                "type": "string",
                "example": "1",
            }


def test_response_members_are_optional_because_of_sparse_fieldsets():
    for name in ("Product", "Track", "Offer", "TrackOffer"):
        resource = schemas()[name]
        assert resource["required"] == ["type", "id"]
        assert "required" not in resource["properties"]["attributes"]
        assert "required" not in resource["properties"]["relationships"]


def test_create_requests_keep_their_required_members():
    data = schemas()["TrackOfferRequest"]["properties"]["data"]
    relationships = data["properties"]["relationships"]

    assert relationships["required"] == ["track", "offer"]
    assert "relationships" in data["required"]
    assert "created-at" not in data["properties"]["attributes"]["properties"]
    assert (
        "required"
        not in schemas()["PatchedTrackOfferRequest"]["properties"]["data"][
            "properties"
        ]["attributes"]
    )


def test_links_only_relationships_declare_no_data():
    track_offers = schemas()["Track"]["properties"]["relationships"]["properties"][
        "track-offers"
    ]

    assert set(track_offers["properties"]) == {"links"}


def test_filters_and_query_parameters_are_named_as_clients_write_them():
    assert parameter_names("get", "/api/v1/track-offers") == {
        "filter[id]",
        "filter[track-id]",
        "filter[offer-id]",
        "filter[copy-scan]",
        "page[number]",
        "page[size]",
        "page[after]",
        "include",
        "sort",
        "fields[track-offers]",
        "fields[tracks]",
        "fields[offers]",
    }


@pytest.mark.parametrize(
    ("path", "types"),
    [
        ("/api/v1/products", ["products"]),
        ("/api/v1/products/1", ["products"]),
        ("/api/v1/tracks/1/product", ["products"]),
        ("/api/v1/offers/1", ["offers", "products"]),
    ],
)
def test_every_read_takes_sparse_fieldsets_of_the_types_it_can_return(path, types):
    names = parameter_names("get", path)

    assert sorted(name for name in names if name.startswith("fields[")) == [
        f"fields[{resource_type}]" for resource_type in types
    ]


def test_sparse_fieldsets_list_the_member_names_clients_send():
    (fields,) = [
        parameter
        for parameter in operation_for("get", "/api/v1/track-offers")["parameters"]
        if parameter["name"] == "fields[track-offers]"
    ]

    assert fields["schema"]["items"]["enum"] == [
        "created-at",
        "offer",
        "release-date",
        "track",
        "updated-at",
        "usage",
    ]


@pytest.mark.parametrize(("name", "nullable"), [("Offer", False), ("TrackOffer", True)])
def test_usage_lists_its_four_snake_case_keys(name, nullable):
    usage = schemas()[name]["properties"]["attributes"]["properties"]["usage"]

    assert list(usage["properties"]) == [
        "download",
        "on_demand_stream",
        "non_interactive_stream",
        "copy_scan",
    ]
    assert usage["additionalProperties"] is False
    for flag in usage["properties"].values():
        assert flag["type"] == "boolean"
        assert flag.get("nullable", False) is nullable


def test_every_api_operation_declares_its_errors_as_jsonapi_documents():
    for path, item in document()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            statuses = {int(code) for code in operation["responses"] if code >= "4"}
            assert {400, 401, 403, 406} <= statuses, (method, path)
            for code in statuses:
                content = resolve(operation["responses"][str(code)])["content"]
                assert content["application/vnd.api+json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorDocument"
                }


def test_writes_declare_their_validation_and_media_type_errors():
    responses = operation_for("post", "/api/v1/track-offers")["responses"]

    assert {"201", "404", "409", "413", "415", "422"} <= set(responses)
    assert "404" in operation_for("get", "/api/v1/track-offers/1")["responses"]


def test_operations_ask_for_a_bearer_token_except_the_token_endpoint():
    security = document()["components"]["securitySchemes"]
    token = operation_for("post", "/oauth/token")

    assert security == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /oauth/token or manage.py mint_token.",
        }
    }
    assert operation_for("get", "/api/v1/track-offers")["security"] == [
        {"bearerAuth": []}
    ]
    assert token["security"] == []
    assert set(token["responses"]) == {"200", "400", "405", "413", "422", "429"}


def test_resource_meta_fields_are_documented_under_meta():
    class Serializer:
        class Meta:
            meta_fields = ["effective_usage"]

        fields = {}

    schema = {
        "properties": {
            "attributes": {
                "properties": {"effective-usage": {"type": "object"}, "usage": {}}
            }
        }
    }

    complete_resource(schema, Serializer())

    assert schema["properties"]["meta"] == {
        "type": "object",
        "properties": {"effective-usage": {"type": "object"}},
    }
    assert list(schema["properties"]["attributes"]["properties"]) == ["usage"]


def test_generation_raises_no_warning(tmp_path):
    # A field or view the generator cannot describe is a warning: fail on it,
    # so the document keeps up with the code.
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--file",
        str(tmp_path / "schema.yaml"),
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0")


def test_links_are_not_declared_as_strict_uris():
    # Found by fuzzing: page links keep their brackets (?page[number]=2), as
    # JSON:API writes them, which RFC 3986's "uri" format refuses.
    link = schemas()["PaginatedTrackOfferList"]["properties"]["links"]

    assert '"format": "uri"' not in json.dumps(document())
    assert re.match(
        link["properties"]["next"]["pattern"],
        "http://testserver/api/v1/track-offers?page[number]=2&page[size]=20",
    )


def test_creates_link_to_what_a_client_does_next_with_the_new_id():
    new_id = "$response.body#/data/id"
    products = operation_for("post", "/api/v1/products")["responses"]["201"]["links"]
    tracks = operation_for("post", "/api/v1/tracks")["responses"]["201"]["links"]

    assert products["products_retrieve"] == {
        "operationId": "products_retrieve",
        "parameters": {"path.id": new_id},
    }
    assert products["products_partial_update"]["requestBody"] == {
        "data": {"type": "products", "id": new_id}
    }
    assert products["tracks_create"] == {
        "operationId": "tracks_create",
        "requestBody": {
            "data": {
                "relationships": {
                    "product": {"data": {"type": "products", "id": new_id}}
                }
            }
        },
    }
    assert {"tracks_track_offers_list", "track_offers_create"} <= set(tracks)
