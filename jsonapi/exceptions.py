"""JSON:API error documents for every error the API can answer.

Errors that know where they come from carry a ``pointer`` into the request
document or the name of the query ``parameter``; the exception handler turns
them, and everything DRF and Django raise, into error objects with
``status``, ``title``, ``detail`` and ``source``.
"""

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from jsonapi import JSONAPI_OBJECT

logger = logging.getLogger(__name__)

# Python 3.13 renamed these two reason phrases; the API keeps the names its
# documentation uses.
TITLES = {
    413: "Payload Too Large",
    422: "Unprocessable Entity",
}


def title_for(status_code: int) -> str:
    if status_code in TITLES:
        return TITLES[status_code]
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def error_object(
    status_code: int,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    code: str | None = None,
    about: str | None = None,
) -> dict:
    error = {"status": str(status_code), "title": title_for(status_code)}
    if detail is not None:
        error["detail"] = str(detail)
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    elif parameter is not None:
        error["source"] = {"parameter": parameter}
    if code is not None:
        error["code"] = code
    if about is not None:
        error["links"] = {"about": about}
    return error


def error_document(errors: list[dict]) -> dict:
    return {"jsonapi": JSONAPI_OBJECT, "errors": errors}


class JSONAPIError(exceptions.APIException):
    """An API error that knows which part of the request caused it."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        about: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.pointer = pointer
        self.parameter = parameter
        self.about = about

    def error_objects(self) -> list[dict]:
        return [
            error_object(
                self.status_code,
                self.detail,
                pointer=self.pointer,
                parameter=self.parameter,
                about=self.about,
            )
        ]


class MalformedDocument(JSONAPIError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request document is malformed."


class InvalidQueryParameter(JSONAPIError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "A query parameter is invalid."

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail, parameter=parameter)


class Forbidden(JSONAPIError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This request is not allowed."


class RelatedNotFound(JSONAPIError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "The related resource does not exist."


class Conflict(JSONAPIError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of a resource."


class PayloadTooLarge(JSONAPIError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."

    @classmethod
    def over_limit(cls) -> "PayloadTooLarge":
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return cls(f"The request body is larger than the limit of {limit} bytes.")


class ServiceUnavailable(JSONAPIError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable. Try again shortly."
    retry_after = 5


class UnprocessableEntity(exceptions.APIException):
    """A well-formed document whose content is invalid: carries error objects."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request document is invalid."

    def __init__(self, errors: list[dict]) -> None:
        super().__init__()
        self.errors = errors

    def error_objects(self) -> list[dict]:
        return self.errors


def exception_handler(exc: Exception, context: dict) -> Response:
    """Answer every exception raised in an API view with an error document.

    Anything DRF does not know is a bug: it is logged with its traceback and
    answered with a bare 500 that leaks nothing.
    """
    # Imported here: rest_framework.views loads the parser and renderer
    # classes named in the settings, which import this module.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge.over_limit()
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down, restarting or out of connections: a client
        # may retry, and the next request reconnects.
        logger.warning("Database unavailable: %s", exc)
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.error(
            "Unhandled error on %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        set_rollback()
        response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        response.data = error_document([error_object(500)])
        return response
    response.data = error_document(_error_objects(exc, response.status_code))
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _error_objects(exc: Exception, status_code: int) -> list[dict]:
    if isinstance(exc, (JSONAPIError, UnprocessableEntity)):
        return exc.error_objects()
    if isinstance(exc, (Http404, exceptions.NotFound)):
        # The documented body of a 404 carries no detail.
        return [error_object(404)]
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return [
            error_object(status_code, message, pointer="/data", code=message.code)
            for message in _flatten(exc.detail)
        ]
    detail = getattr(exc, "detail", None)
    return [error_object(status_code, detail, code=getattr(detail, "code", None))]


def _flatten(detail) -> list:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [detail]
