"""Read replicas: the reads of read-only requests go to a replica.

``DATABASE_REPLICA_URLS`` adds the aliases ``replica_1``, ``replica_2``...
(listed in ``settings.DATABASE_REPLICAS``). A GET or HEAD request picks one
of them for all its reads. Everything else uses the primary ("default"):
writes, every query of a request that writes (so it reads what it wrote),
management commands and migrations.
"""

import random
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

READ_ONLY_METHODS = ("GET", "HEAD")

# Tokens, users and permissions are read from the primary: a token issued a
# moment ago must work on the next request, before replication catches up.
PRIMARY_APPS = {"auth", "knox", "contenttypes", "sessions", "admin"}

_replica: ContextVar[str | None] = ContextVar("replica", default=None)


class ReplicaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DATABASE_REPLICAS or request.method not in READ_ONLY_METHODS:
            return self.get_response(request)
        token = _replica.set(random.choice(settings.DATABASE_REPLICAS))
        try:
            return self.get_response(request)
        finally:
            _replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints) -> str:
        replica = _replica.get()
        if replica is None or model._meta.app_label in PRIMARY_APPS:
            return "default"
        return replica

    def db_for_write(self, model: type[Model], **hints) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool:
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        # Replicas get the schema through replication.
        return db == "default"
