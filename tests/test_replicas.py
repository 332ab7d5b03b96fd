"""Read-only requests read from a replica; everything else from the primary.

``replica_1`` is a second connection to the test database (a test mirror),
so the captured queries show which alias each request used.
"""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.documents import track_offer_body
from trackoffers.models import TrackOffer

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica_1"])

CATALOGUE_TABLES = ("trackoffers_trackoffer", "tracks_track", "offers_offer")


@pytest.fixture
def replica(settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    return connections["replica_1"]


def tables_read(captured: CaptureQueriesContext) -> list[str]:
    return [
        table
        for query in captured.captured_queries
        for table in (*CATALOGUE_TABLES, "knox_authtoken")
        if f'"{table}"' in query["sql"]
    ]


def test_a_get_reads_the_catalogue_from_a_replica(api, replica):
    factories.track_offer(copy_scan=False)

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = api.get("/api/v1/track-offers?include=track")

    assert response.status_code == 200
    assert len(response.json()["data"]) == 1
    assert "trackoffers_trackoffer" in tables_read(on_replica)
    assert not set(tables_read(on_primary)) & set(CATALOGUE_TABLES)


def test_tokens_are_read_from_the_primary(api, replica):
    # A token issued a moment ago on the primary works before replication.
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        api.get("/api/v1/track-offers")

    assert "knox_authtoken" in tables_read(on_primary)
    assert "knox_authtoken" not in tables_read(on_replica)


def test_a_post_reads_and_writes_only_the_primary(api, replica):
    offer = factories.offer()
    track = factories.track(offer.product)

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = api.post(
            "/api/v1/track-offers",
            track_offer_body(track, offer, usage={"copy_scan": False}),
        )

    assert response.status_code == 201
    assert on_replica.captured_queries == []
    assert "tracks_track" in tables_read(on_primary)
    assert TrackOffer.objects.count() == 1


def test_without_replicas_a_get_uses_the_primary(api, settings):
    settings.DATABASE_REPLICAS = []

    with CaptureQueriesContext(connections["replica_1"]) as on_replica:
        response = api.get("/api/v1/track-offers")

    assert response.status_code == 200
    assert on_replica.captured_queries == []


def test_code_outside_requests_reads_the_primary(replica):
    factories.track_offer()

    with CaptureQueriesContext(replica) as on_replica:
        assert TrackOffer.objects.count() == 1

    assert on_replica.captured_queries == []


def test_migrations_run_on_the_primary_only(replica):
    with CaptureQueriesContext(replica) as on_replica:
        call_command("migrate", database="replica_1", verbosity=0)

    assert not [
        query
        for query in on_replica.captured_queries
        if query["sql"].upper().startswith(("CREATE", "ALTER", "INSERT"))
    ]


def test_replica_urls_become_database_aliases():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings as s; "
            "print(s.DATABASE_REPLICAS, s.DATABASES['replica_2']['HOST'], "
            "s.DATABASES['replica_2']['TEST'])",
        ],
        env={
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://app@primary.internal:5432/trackoffers",
            "DATABASE_REPLICA_URLS": (
                "postgres://app@replica-a.internal/trackoffers, "
                "postgres://app@replica-b.internal/trackoffers"
            ),
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == (
        "['replica_1', 'replica_2'] replica-b.internal {'MIRROR': 'default'}"
    )
