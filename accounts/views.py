"""``POST /oauth/token``: exchange an e-mail and password for a Bearer token."""

import json
import logging

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts import throttle, tokens

logger = logging.getLogger(__name__)


def _invalid(message: str, errors: dict[str, list[str]], status: int = 422):
    return JsonResponse({"message": message, "errors": errors}, status=status)


@csrf_exempt
def issue_token(request: HttpRequest) -> JsonResponse:
    """Answer as the upstream OAuth service does: a token or a 422."""
    if request.method != "POST":
        response = _invalid(
            "Method not allowed.", {"method": ["Use POST."]}, status=405
        )
        response["Allow"] = "POST"
        return response
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        # Left to Django, this would be an HTML 400 and an error log line.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _invalid(
            "The body is too large.", {"body": [f"More than {limit} bytes."]}, 413
        )
    except (ValueError, RecursionError):
        return _invalid("The body must be a JSON object.", {"body": ["Not JSON."]}, 400)
    if not isinstance(body, dict):
        return _invalid(
            "The body must be a JSON object.", {"body": ["Not an object."]}, 400
        )

    missing = {
        field: [f"The {field} field is required."]
        for field in ("grant_type", "email", "password")
        if not isinstance(body.get(field), str) or not body[field]
    }
    if missing:
        return _invalid("The given data was invalid.", missing)
    if body["grant_type"] != "password":
        return _invalid(
            "The authorization grant type is not supported.",
            {"grant_type": ["The grant type must be password."]},
        )

    wait = throttle.login_attempt(request, body["email"])
    if wait:
        logger.warning(
            "Throttled token requests for %s from %s",
            body["email"],
            throttle.client_address(request),
        )
        response = _invalid(
            "Too many attempts. Try again later.",
            {"email": [f"Too many attempts: wait {wait} seconds."]},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response

    user = _authenticate(request, body["email"], body["password"])
    if user is None:
        logger.warning(
            "Refused a token for %s from %s",
            body["email"],
            throttle.client_address(request),
        )
        return _invalid(
            "The user credentials were incorrect.",
            {"email": ["These credentials do not match our records."]},
        )
    ttl = tokens.default_ttl()
    token, secret = tokens.mint(user, ttl=ttl)
    logger.info("Issued a token to user %s", user.pk)
    return JsonResponse(
        {
            "access_token": secret,
            "token_type": "Bearer",
            "expires_in": int(ttl.total_seconds()),
            "refresh_token": "",
            "created_at": int(token.created.timestamp()),
        }
    )


def _authenticate(request: HttpRequest, email: str, password: str):
    matches = list(get_user_model().objects.filter(email__iexact=email)[:2])
    if len(matches) != 1:
        # Hash anyway, so the answer takes as long as for a known address.
        make_password(password)
        return None
    return authenticate(request, username=matches[0].get_username(), password=password)
