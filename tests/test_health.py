"""/healthz and /readyz: outside auth and host checks, quiet in the logs."""

import logging

import pytest
from django.db import OperationalError, connections


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_says_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_does_not(client, monkeypatch, caplog):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable"},
    }
    assert "connection refused" in caplog.text


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db
def test_probes_need_no_token_nor_a_known_host(client, path):
    response = client.get(path, HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db
def test_probes_are_logged_below_info(client, caplog, path):
    caplog.set_level(logging.DEBUG, logger="trackoffers.requests")

    client.get(path)

    (record,) = [r for r in caplog.records if r.name == "trackoffers.requests"]
    assert record.levelno == logging.DEBUG
