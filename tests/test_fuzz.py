"""Fuzz the API in-process from the OpenAPI document it serves.

schemathesis reads ``GET /api/v1/schema`` from the WSGI application and
sends every operation generated requests, valid and invalid, with a
writer's Bearer token: first each operation on its own, then sequences
that follow the document's links (create a product, then a track on it,
then patch and delete them). Every answer must not be a 5xx and must
conform to the document: a declared status, the declared media type and a
body that matches the declared schema.

Hypothesis runs derandomized, with a fixed number of examples per
operation and of sequences, so each run sends the same requests and takes
about the same time.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import tokens
from tests import factories

SCHEMA_URL = "/api/v1/schema"
# werkzeug's test client, which schemathesis drives the app with, sends
# this Host header.
HOST = "localhost"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    # A slow example is not a failure here: the suite bounds the run by the
    # number of examples instead, so a busy CI machine cannot make it flaky.
    deadline=None,
    # Fixtures are shared by the examples on purpose: the data they create
    # is the catalogue the requests read and change.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STATEFUL_SETTINGS = settings(FUZZ_SETTINGS, max_examples=40, stateful_step_count=8)


def served_schema() -> schemathesis.BaseSchema:
    """Load the document as clients get it, from the running application."""
    with override_settings(ALLOWED_HOSTS=[HOST]):
        return schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())


schema = served_schema()


@pytest.fixture
def wsgi_app(db, settings) -> Iterator[WSGIHandler]:
    """Serve requests inside the test's transaction.

    Django closes a connection it deems stale when a request starts and
    ends, which in a test would end the transaction the test runs in.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(writer) -> dict[str, str]:
    """A writer's token, and a small catalogue for the requests to find."""
    track_offer = factories.track_offer(copy_scan=False)
    factories.track(track_offer.offer.product)
    _, secret = tokens.mint(writer, ttl=tokens.default_ttl())
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_each_operation_conforms(case, wsgi_app, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=CHECKS, app=wsgi_app)


def test_sequences_following_links_conform(wsgi_app, auth_headers):
    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case) -> dict:
            return {"headers": auth_headers, "app": wsgi_app}

        def validate_response(self, response, case, **kwargs) -> None:
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(Workflow, settings=STATEFUL_SETTINGS)
