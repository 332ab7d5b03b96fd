import logging

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts import throttle

logger = logging.getLogger(__name__)


class AdminLoginThrottleMiddleware:
    """Answer too many admin login attempts with a 429 before checking them."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("admin:login"):
            account = request.POST.get("username", "")
            wait = throttle.login_attempt(request, account)
            if wait:
                logger.warning(
                    "Throttled admin login for %s from %s",
                    account,
                    throttle.client_address(request),
                )
                response = HttpResponse(
                    "Too many login attempts. Try again in a minute.",
                    status=429,
                    content_type="text/plain",
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
