"""Statement counts that differ by database."""

from django.db import connection


def copy_scan_update_statements() -> int:
    """Statements to update a track offer and record its copy-scan change.

    PostgreSQL runs the UPDATE inside the history INSERT; SQLite cannot
    update inside a WITH, so it runs both.
    """
    return 1 if connection.vendor == "postgresql" else 2
