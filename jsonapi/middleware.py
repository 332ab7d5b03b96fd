from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Keep API answers out of shared caches: they are per-user rights data."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response.setdefault("Cache-Control", "no-store")
        return response
