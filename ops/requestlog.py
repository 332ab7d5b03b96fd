"""One log line per request, and the request id on every log line.

The line carries the method, path (never the query string), status,
duration, user id and request id; never headers or bodies, so no token or
password can reach the logs. The request id comes from the client's or the
proxy's ``X-Request-ID`` when it looks like one, else it is made here; it
is echoed in the response so a client can quote it.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from ops.health import HEALTH_PATHS

logger = logging.getLogger("trackoffers.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# Anything else (a newline, say) could forge log lines: it gets a new id.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        if not VALID_REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            # Probes arrive every few seconds: they would drown the log.
            level = logging.DEBUG if request.path in HEALTH_PATHS else logging.INFO
            user_id = _user_id(request)
            logger.log(
                level,
                "%s %s %s %.1fms user=%s",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                user_id if user_id is not None else "-",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    # A session user that nothing has loaded stays unloaded: a log line is
    # not worth the queries.
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being served ("-" if none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


# The attributes every LogRecord has; anything else came in through extra=.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """One JSON object per line, with the record's extra fields as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES
        )
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
