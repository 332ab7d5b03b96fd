"""A trigram index behind the admin's title search, on PostgreSQL only.

``title__icontains`` is ``UPPER(title) LIKE UPPER('%term%')``, which no
B-tree can serve; a GIN trigram index on ``UPPER(title)`` can. SQLite has no
such index and searches by scanning, so the operation does nothing there.
The index is not part of the model state, which has no portable way to say
"PostgreSQL only", so makemigrations knows nothing of it.
"""

from django.db import migrations

INDEX = "track_title_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner
    # may create it without being a superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON tracks_track "
        "USING gin (UPPER(title) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tracks", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
