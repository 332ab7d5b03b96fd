"""The OpenAPI document and the interactive documentation built on it."""

from functools import lru_cache

from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

from jsonapi.openapi import SchemaGenerator


class SchemaView(SpectacularJSONAPIView):
    """``GET /api/v1/schema``: the OpenAPI document as JSON.

    Served as ``application/vnd.oai.openapi+json``, or ``application/json``
    to clients that ask for it. The document depends only on the code, so
    each process builds it once.
    """

    def _get_schema_response(self, request: Request) -> Response:
        return Response(
            data=document(),
            headers={"Content-Disposition": 'inline; filename="trackoffers.json"'},
        )


@lru_cache(maxsize=1)
def document() -> dict:
    """Return the OpenAPI document (built on the first call, then kept)."""
    return SchemaGenerator().get_schema(request=None, public=True)


class DocsView(SpectacularSwaggerView):
    """``GET /api/v1/docs``: Swagger UI, served from the installed sidecar."""

    url_name = "openapi-schema"
