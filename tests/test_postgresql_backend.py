"""The PostgreSQL backend of ops/postgresql: a health check without a round
trip, and compiled timestamp loading."""

import select
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_base
from psycopg.pq import Format

from ops.postgresql.base import TIMESTAMPTZ, DatabaseWrapper, UTCTimestampLoader

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend"
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def wrapper():
    """A connection of its own, outside the test's transaction."""
    own = connections.create_connection("default")
    assert isinstance(own, DatabaseWrapper)
    own.ensure_connection()
    yield own
    own.close()


@pytest.fixture
def server_asked(monkeypatch) -> list:
    """Records each time Django's own check, a SELECT 1, is run."""
    calls = []
    original = django_base.DatabaseWrapper.is_usable

    def counting(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(django_base.DatabaseWrapper, "is_usable", counting)
    return calls


def terminate(wrapper) -> None:
    """End the wrapper's server process, and wait for its goodbye."""
    pid = wrapper.connection.info.backend_pid
    settings = wrapper.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    readable, _, _ = select.select([wrapper.connection.fileno()], [], [], 10)
    assert readable


def test_a_quiet_idle_connection_is_usable_without_asking_the_server(
    wrapper, server_asked
):
    assert wrapper.is_usable() is True
    assert server_asked == []


def test_a_terminated_connection_is_unusable(wrapper, server_asked):
    terminate(wrapper)

    assert wrapper.is_usable() is False
    assert server_asked == [wrapper]


def test_the_health_check_replaces_a_terminated_connection(wrapper):
    old_pid = wrapper.connection.info.backend_pid
    terminate(wrapper)

    # What Django does before the first query of each request.
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]

    assert new_pid != old_pid


def test_a_connection_inside_a_transaction_asks_the_server(wrapper, server_asked):
    wrapper.set_autocommit(False)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")

    assert wrapper.is_usable() is True
    assert server_asked == [wrapper]
    wrapper.rollback()


def test_a_closed_connection_is_unusable(wrapper, server_asked):
    wrapper.connection.close()

    assert wrapper.is_usable() is False
    assert server_asked == []


def test_timestamps_load_with_the_compiled_loader_as_aware_utc(wrapper):
    loader = wrapper.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT '2026-03-04 05:06:07.123456+02'::timestamptz, NULL::timestamptz"
        )
        moment, nothing = cursor.fetchone()

    assert loader is UTCTimestampLoader
    assert moment == datetime(2026, 3, 4, 3, 6, 7, 123456, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)
    assert nothing is None


def test_the_orm_reads_back_what_it_wrote(writer):
    from django.contrib.auth.models import User

    moment = datetime(2026, 12, 4, 6, 52, 12, 345678, tzinfo=UTC)
    User.objects.filter(pk=writer.pk).update(last_login=moment)

    assert User.objects.get(pk=writer.pk).last_login == moment


def test_a_database_time_zone_keeps_djangos_loader():
    own = DatabaseWrapper({**connection.settings_dict, "TIME_ZONE": "Europe/Paris"})
    try:
        own.ensure_connection()
        loader = own.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
        with own.cursor() as cursor:
            cursor.execute("SELECT '2026-07-01 12:00:00+00'::timestamptz")
            moment = cursor.fetchone()[0]
    finally:
        own.close()

    assert loader is not UTCTimestampLoader
    assert moment == datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=2)


def test_a_connection_on_a_descriptor_above_1023_is_checked(server_asked):
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), max(hard, 2048)))
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    own = connections.create_connection("default")
    try:
        own.ensure_connection()
        assert own.connection.fileno() > 1023
        assert own.is_usable() is True
        assert server_asked == []
    finally:
        own.close()
        for descriptor in spare:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
