"""``/healthz`` and ``/readyz`` for load balancers and orchestrators.

They are answered by a middleware near the top of the stack, before host
validation, sessions, CSRF and authentication: probes come from addresses
that are not in ALLOWED_HOSTS and carry no credentials, and they must stay
cheap. ``/healthz`` only says the process answers; ``/readyz`` also asks the
primary database for one row.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return readiness()
        return self.get_response(request)


def readiness() -> JsonResponse:
    """Answer 200 when the primary database answers a query, else 503.

    Replicas are not checked: every app server shares them, so a replica
    outage would take all of them out of the load balancer, writes too.
    """
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Not ready: the database does not answer (%s)", exc)
        return JsonResponse(
            {"status": "unavailable", "checks": {"database": "unavailable"}},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})
