"""Django's PostgreSQL backend with two per-request costs removed.

Set as the ``ENGINE`` of PostgreSQL databases by ``config.settings``.
"""
