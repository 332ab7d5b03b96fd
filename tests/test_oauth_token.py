"""POST /oauth/token and the token commands."""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests import factories
from tests.conftest import ApiClient
from tests.openapi import assert_conforms

pytestmark = pytest.mark.django_db


def lifetime(token: AuthToken) -> int:
    """Return a token's lifetime in whole seconds."""
    return round((token.expiry - token.created).total_seconds())


def request_token(body, content_type: str = "application/json"):
    return Client().post(
        "/oauth/token",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type=content_type,
    )


def test_it_issues_a_bearer_token_for_good_credentials(writer):
    before = int(timezone.now().timestamp())

    response = request_token(
        {
            "grant_type": "password",
            "email": "WRITER@label.test",
            "password": "correct horse",
        }
    )

    body = response.json()
    token = AuthToken.objects.get()
    assert response.status_code == 200
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "created_at",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert body["refresh_token"] == ""
    assert before <= body["created_at"] <= int(timezone.now().timestamp())
    assert token.user == writer
    assert token.digest != body["access_token"]
    assert body["access_token"] not in token.digest
    assert lifetime(token) == 86400
    assert ApiClient(body["access_token"]).get("/api/v1/products").status_code == 200


@pytest.mark.parametrize(
    ("body", "message", "errors"),
    [
        (
            {
                "grant_type": "client_credentials",
                "email": "writer@label.test",
                "password": "correct horse",
            },
            "The authorization grant type is not supported.",
            {"grant_type": ["The grant type must be password."]},
        ),
        (
            {
                "grant_type": "password",
                "email": "writer@label.test",
                "password": "wrong",
            },
            "The user credentials were incorrect.",
            {"email": ["These credentials do not match our records."]},
        ),
        (
            {
                "grant_type": "password",
                "email": "nobody@label.test",
                "password": "correct horse",
            },
            "The user credentials were incorrect.",
            {"email": ["These credentials do not match our records."]},
        ),
        (
            {"grant_type": "password"},
            "The given data was invalid.",
            {
                "email": ["The email field is required."],
                "password": ["The password field is required."],
            },
        ),
    ],
)
def test_it_answers_bad_requests_with_a_422(writer, body, message, errors):
    response = request_token(body)

    assert response.status_code == 422
    assert response.json() == {"message": message, "errors": errors}
    assert not AuthToken.objects.exists()


def test_it_refuses_an_inactive_user(writer):
    writer.is_active = False
    writer.save()

    response = request_token(
        {"grant_type": "password", "email": writer.email, "password": "correct horse"}
    )

    assert response.status_code == 422


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"'])
def test_it_answers_a_body_that_is_not_an_object_with_a_400(db, body):
    response = request_token(body)

    assert response.status_code == 400
    assert response.json()["message"] == "The body must be a JSON object."


def test_it_answers_a_body_over_the_size_limit_with_a_413(db, settings):
    # Found while reviewing the fuzzing: Django answered an HTML 400 here.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = request_token({"grant_type": "password", "password": "x" * 2000})

    assert response.status_code == 413
    assert response.json() == {
        "message": "The body is too large.",
        "errors": {"body": ["More than 1024 bytes."]},
    }
    assert_conforms(response, "post", "/oauth/token")


def test_a_throttled_request_is_a_documented_429(writer, settings):
    # The OpenAPI document did not declare it.
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT = 1
    body = {"grant_type": "password", "email": writer.email, "password": "wrong"}
    request_token(body)

    response = request_token(body)

    assert response.status_code == 429
    assert_conforms(response, "post", "/oauth/token")


def test_it_only_takes_post(db):
    response = Client().get("/oauth/token")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_it_logs_a_refused_login_without_the_password(writer, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.views"):
        request_token(
            {"grant_type": "password", "email": writer.email, "password": "hunter2"}
        )

    assert [record.getMessage() for record in caplog.records] == [
        "Refused a token for writer@label.test from 127.0.0.1"
    ]
    assert "hunter2" not in caplog.text


def test_mint_token_prints_a_working_token_once(writer):
    out, err = StringIO(), StringIO()

    call_command("mint_token", "writer", "--days", "30", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    token = AuthToken.objects.get()
    assert lifetime(token) == 30 * 86400
    assert err.getvalue().startswith("Token for writer, expires ")
    assert ApiClient(secret).get("/api/v1/products").status_code == 200


def test_mint_token_makes_tokens_that_never_expire(writer):
    call_command("mint_token", writer.email, "--no-expiry", stdout=StringIO())

    assert AuthToken.objects.get().expiry is None


def test_mint_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No single active user"):
        call_command("mint_token", "ghost", stdout=StringIO())


def test_mint_token_refuses_a_lifetime_below_a_day(writer):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("mint_token", "writer", "--days", "0", stdout=StringIO())


def test_revoke_tokens_deletes_every_token_of_the_user(writer):
    other = factories.user("other")
    for account in (writer, writer, other):
        AuthToken.objects.create(user=account)
    out = StringIO()

    call_command("revoke_tokens", "writer", stdout=out)

    assert out.getvalue() == "Revoked 2 token(s) of writer.\n"
    assert list(AuthToken.objects.values_list("user", flat=True)) == [other.pk]


def test_prune_tokens_deletes_only_expired_tokens(writer):
    AuthToken.objects.create(user=writer, expiry=timedelta(seconds=-1))
    live, _ = AuthToken.objects.create(user=writer)
    out = StringIO()

    call_command("prune_tokens", stdout=out)

    assert out.getvalue() == "Deleted 1 expired token(s).\n"
    assert list(AuthToken.objects.all()) == [live]
