"""One log line per request, plain or JSON, with no secret in it."""

import json
import logging
import subprocess
import sys

import pytest
from django.conf import settings

from accounts import tokens
from ops.requestlog import JSONFormatter, RequestIdFilter
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_records(caplog):
    caplog.set_level(logging.DEBUG, logger="trackoffers.requests")

    def records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "trackoffers.requests"]

    return records


def formatted(records, formatter: logging.Formatter) -> list[str]:
    """Format records as the console handler does, request id included."""
    request_id = RequestIdFilter()
    lines = []
    for record in records:
        request_id.filter(record)
        lines.append(formatter.format(record))
    return lines


def plain_formatter() -> logging.Formatter:
    return logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])


def test_it_logs_one_line_per_request_with_who_and_how_long(
    api, writer, request_records
):
    response = api.get("/api/v1/track-offers?page[size]=5")

    (record,) = request_records()
    assert record.levelno == logging.INFO
    assert record.method == "GET"
    assert record.path == "/api/v1/track-offers"
    assert record.status == 200
    assert record.user_id == writer.pk
    assert record.duration_ms >= 0
    assert record.getMessage().startswith("GET /api/v1/track-offers 200 ")
    assert response["X-Request-ID"]


def test_anonymous_requests_have_no_user_id(anonymous_api, request_records):
    anonymous_api.get("/api/v1/track-offers")

    (record,) = request_records()
    assert record.status == 401
    assert record.user_id is None


def test_it_echoes_a_request_id_sent_by_the_client(api, request_records):
    response = api.get("/api/v1/track-offers", HTTP_X_REQUEST_ID="lb-7f3a.2")

    (line,) = formatted(request_records(), plain_formatter())
    assert response["X-Request-ID"] == "lb-7f3a.2"
    assert "[lb-7f3a.2] GET /api/v1/track-offers 200" in line


@pytest.mark.parametrize("sent", ["two\nlines", "x" * 129, "semi;colon"])
def test_it_replaces_request_ids_that_could_forge_log_lines(api, sent):
    response = api.get("/api/v1/track-offers", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


def test_the_json_format_has_one_object_per_line(api, writer, request_records):
    response = api.get("/api/v1/track-offers")

    (line,) = formatted(request_records(), JSONFormatter())
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "trackoffers.requests"
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/track-offers"
    assert entry["status"] == 200
    assert entry["user_id"] == writer.pk
    assert isinstance(entry["duration_ms"], float)
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["time"].endswith("+00:00")


@pytest.mark.parametrize("formatter", [plain_formatter(), JSONFormatter()])
def test_no_token_password_or_body_is_logged(client, caplog, formatter):
    caplog.set_level(logging.DEBUG)
    user = factories.user("logged", actions=("view",))
    _, secret = tokens.mint(user, ttl=tokens.default_ttl())

    client.get(
        "/api/v1/track-offers?filter[id]=1",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    client.get("/api/v1/track-offers", HTTP_AUTHORIZATION="Bearer wrong-token-xyz")
    client.post(
        "/oauth/token",
        json.dumps(
            {"grant_type": "password", "email": user.email, "password": "s3cret-pw"}
        ),
        content_type="application/json",
    )

    text = "\n".join(formatted(caplog.records, formatter))
    assert "POST /oauth/token 422" in text
    for secret_text in (secret, "wrong-token-xyz", "s3cret-pw", "Bearer", "filter"):
        assert secret_text not in text


@pytest.mark.parametrize(("value", "formatter"), [("json", "json"), ("", "plain")])
def test_log_format_picks_the_console_formatter(value, formatter):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; "
            "print(settings.LOGGING['handlers']['console']['formatter'])",
        ],
        env={"SECRET_KEY": "x", "LOG_FORMAT": value},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == formatter


def test_an_unknown_log_format_stops_the_process():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={"SECRET_KEY": "x", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "LOG_FORMAT must be one of plain, json, not 'xml'" in result.stderr
