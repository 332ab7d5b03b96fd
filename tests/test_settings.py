"""Settings read from the environment fail loudly on malformed values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("off", False), ("", False)]
)
def test_get_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)

    assert env.get_bool("FLAG") is expected


def test_get_bool_rejects_other_words(monkeypatch):
    monkeypatch.setenv("FLAG", "sometimes")

    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env.get_bool("FLAG")


def test_get_int_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("SIZE", raising=False)

    assert env.get_int("SIZE", 7) == 7


@pytest.mark.parametrize(
    ("raw", "message"),
    [("ten", "SIZE must be a whole number"), ("-1", "SIZE must be at least 0")],
)
def test_get_int_rejects_malformed_values(monkeypatch, raw, message):
    monkeypatch.setenv("SIZE", raw)

    with pytest.raises(ImproperlyConfigured, match=message):
        env.get_int("SIZE", 7)


def test_get_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")

    assert env.get_list("HOSTS", []) == ["a.example", "b.example"]


def test_settings_refuse_to_start_without_a_secret_key_in_production(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={"PATH": "", "DEBUG": "0"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_settings_read_a_postgres_database_url(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; d = settings.DATABASES['default'];"
            "print(d['ENGINE'], d['NAME'], d['CONN_MAX_AGE'], d['OPTIONS'])",
        ],
        env={
            "PATH": "",
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://user@db.example:5432/catalogue",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == (
        "ops.postgresql catalogue 600 {'options': '-c timezone=UTC'}"
    )
