"""Django's PostgreSQL backend, with two per-request costs removed.

- The health check before a request's first query asks the server
  ``SELECT 1``: a round trip per request. A connection the server has
  closed (a restart, an idle timeout, a terminated backend) has its goodbye,
  or the end of the stream, waiting on its socket, so a zero-timeout poll
  finds it; only then is the server asked.
- Django loads ``timestamptz`` values with a Python subclass of psycopg's
  loader, ten times slower than psycopg's compiled one. On a UTC session
  (``USE_TZ`` and no database ``TIME_ZONE``) both give the same aware UTC
  datetimes, so connections use the compiled one where psycopg has it.
"""

import select
from datetime import UTC

from django.db.backends.postgresql import base
from psycopg import adapters, postgres
from psycopg.adapt import Loader
from psycopg.pq import Format, TransactionStatus

TIMESTAMPTZ = postgres.types["timestamptz"].oid
# psycopg's default loader: its compiled one when psycopg has one.
_COMPILED_LOADER = adapters.get_loader(TIMESTAMPTZ, Format.TEXT)


class UTCTimestampLoader(Loader):
    """psycopg's default ``timestamptz`` loader, as Django expects to find it.

    Django looks for a ``timezone`` attribute on the connection's loader to
    decide whether each cursor needs a loader of its own.
    """

    timezone = UTC

    def __init__(self, oid: int, context=None) -> None:
        super().__init__(oid, context)
        # The compiled loader cannot be subclassed. Its bound method, set on
        # the instance, is what psycopg calls for every value.
        self._compiled = _COMPILED_LOADER(oid, context)
        self.load = self._compiled.load

    def load(self, data):
        return self._compiled.load(data)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict):
        connection = super().get_new_connection(conn_params)
        if self.timezone is UTC:
            connection.adapters.register_loader(TIMESTAMPTZ, UTCTimestampLoader)
        return connection

    def is_usable(self) -> bool:
        """Return whether the connection still works, asking the server
        only when its socket has something unexpected to read."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        # poll(), not select(): select() cannot watch a descriptor above
        # 1023, which a busy process may well hand out.
        socket = select.poll()
        socket.register(connection.fileno(), select.POLLIN)
        return not socket.poll(0) or super().is_usable()
