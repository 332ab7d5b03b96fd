from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_track_offers_filtered_by_copy_scan_within_an_offer_have_their_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["trackoffer_offer_copy_scan"],
        )
        (definition,) = cursor.fetchone()

    assert definition.endswith(
        "USING btree (offer_id, copy_scan, id) WHERE (copy_scan IS NOT NULL)"
    )
