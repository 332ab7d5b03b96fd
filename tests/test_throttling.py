"""Login attempts are limited per account and per client address."""

import json
import logging

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def request_token(email: str, password: str = "wrong", address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/oauth/token",
        data=json.dumps(
            {"grant_type": "password", "email": email, "password": password}
        ),
        content_type="application/json",
    )


def test_token_requests_are_limited_per_account(writer, settings, caplog):
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT = 3
    for number in range(3):
        assert (
            request_token(writer.email, address=f"10.0.0.{number}").status_code == 422
        )

    with caplog.at_level(logging.WARNING, logger="accounts.views"):
        throttled = request_token(writer.email, "correct horse", address="10.0.0.9")

    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["message"] == "Too many attempts. Try again later."
    assert caplog.messages[-1] == (
        "Throttled token requests for writer@label.test from 10.0.0.9"
    )
    assert "correct horse" not in caplog.text


def test_token_requests_are_limited_per_address(writer, settings):
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS = 2
    request_token("a@label.test")
    request_token("b@label.test")

    response = request_token(writer.email, "correct horse")

    assert response.status_code == 429


def test_other_accounts_and_addresses_are_not_held_up(writer, settings):
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT = 1
    request_token("mallory@label.test", address="10.6.6.6")

    response = request_token(writer.email, "correct horse", address="10.0.0.2")

    assert response.status_code == 200


def test_the_client_address_comes_from_trusted_proxies_only(writer, settings):
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS = 1
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.254")

    def post(forwarded_for: str):
        return client.post(
            "/oauth/token",
            data=json.dumps(
                {"grant_type": "password", "email": "x@label.test", "password": "x"}
            ),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    first = post("1.1.1.1, 203.0.113.7")
    spoofed = post("9.9.9.9, 203.0.113.7")

    assert first.status_code == 422
    # The spoofed leftmost entry is ignored: the proxy saw 203.0.113.7 again.
    assert spoofed.status_code == 429


def test_admin_logins_are_limited_too(settings):
    settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT = 2
    factories.user("staffer", is_staff=True)
    client = Client()
    form = {"username": "staffer", "password": "wrong", "next": "/admin/"}

    first = client.post("/admin/login/", form)
    second = client.post("/admin/login/", form)
    third = client.post("/admin/login/", {**form, "password": "correct horse"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert third.status_code == 429
    assert third.content == b"Too many login attempts. Try again in a minute."
    assert "_auth_user_id" not in client.session
