import json
from pathlib import Path

import jsonschema
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client

from accounts import tokens
from tests import factories

MEDIA_TYPE = "application/vnd.api+json"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared" / "jsonapi-schema"


def _load_schema() -> dict | None:
    path = SCHEMA_DIR / "schema.json"
    if not path.exists():
        return None
    # Python's jsonschema treats "" as a literal property name pattern that
    # matches nothing useful; the schema means "any name".
    text = path.read_text().replace('"patternProperties": {\n        "": ', "")
    schema = json.loads(path.read_text())

    def rewrite(node):
        if isinstance(node, dict):
            for key, value in list(node.items()):
                if key == "patternProperties" and "" in value:
                    value[".*"] = value.pop("")
                rewrite(value)
        elif isinstance(node, list):
            for item in node:
                rewrite(item)

    del text
    rewrite(schema)
    return schema


SCHEMA = _load_schema()


def assert_valid_document(response) -> None:
    """Check a JSON:API response body against the official 1.0 schema."""
    if SCHEMA is None or not response.content:
        return
    jsonschema.validate(json.loads(response.content), SCHEMA)


class ApiClient:
    """Django's test client speaking JSON:API with a Bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def request(self, method: str, path: str, body=None, **headers):
        if self.token and "HTTP_AUTHORIZATION" not in headers:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        headers.setdefault("content_type", MEDIA_TYPE)
        response = getattr(self.client, method)(path, data=body, **headers)
        if response.get("Content-Type") == MEDIA_TYPE:
            assert_valid_document(response)
        return response

    def get(self, path: str, **headers):
        return self.request("get", path, **headers)

    def post(self, path: str, body=None, **headers):
        return self.request("post", path, body, **headers)

    def patch(self, path: str, body=None, **headers):
        return self.request("patch", path, body, **headers)

    def delete(self, path: str, **headers):
        return self.request("delete", path, **headers)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with fresh login-attempt counters."""
    cache.clear()


@pytest.fixture
def writer(db):
    return factories.user("writer", actions=("view", "add", "change", "delete"))


@pytest.fixture
def api(writer) -> ApiClient:
    """A client whose user may read and write every resource."""
    _, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    return ApiClient(secret)


@pytest.fixture
def viewer_api(db) -> ApiClient:
    viewer = factories.user("viewer", actions=("view",))
    _, secret = tokens.mint(viewer, ttl=tokens.default_ttl())
    return ApiClient(secret)


@pytest.fixture
def anonymous_api(db) -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def label_staff(db):
    return factories.label_staff()


@pytest.fixture
def staff_client(label_staff) -> Client:
    """A browser session of a member of "Label staff" in the admin."""
    client = Client()
    client.force_login(label_staff)
    return client


@pytest.fixture
def viewer_client(db) -> Client:
    """A staff member who may view the catalogue but change nothing."""
    client = Client()
    client.force_login(factories.user("viewer", actions=("view",), is_staff=True))
    return client


@pytest.fixture
def warm_content_types(db) -> None:
    """Load the content types the admin's history needs, as a running server has.

    Django caches them per process; without this, a pinned query count
    would depend on which test ran first.
    """
    ContentType.objects.get_for_models(
        *(
            model
            for label in ("tracks", "offers", "trackoffers")
            for model in apps.get_app_config(label).get_models()
        )
    )
