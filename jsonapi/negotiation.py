"""Content negotiation as JSON:API 1.0 requires it.

DRF matches media types while ignoring their parameters; JSON:API forbids
parameters on its media type in both directions.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

MEDIA_TYPE = "application/vnd.api+json"


def _media_ranges(header: str) -> list[tuple[str, bool]]:
    """Return (media type, has parameters) for each entry of a header.

    The quality factor ``q`` is not a media type parameter and is ignored.
    """
    ranges = []
    for entry in header.split(","):
        media_type, *params = (part.strip() for part in entry.split(";"))
        params = [param for param in params if not param.startswith("q=")]
        if media_type:
            ranges.append((media_type.lower(), bool(params)))
    return ranges


class StrictNegotiation(DefaultContentNegotiation):
    def select_parser(self, request, parsers):
        for media_type, has_params in _media_ranges(request.content_type):
            if media_type == MEDIA_TYPE and has_params:
                # No parser means DRF answers 415 Unsupported Media Type.
                return None
        return super().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "")
        jsonapi_ranges = [
            has_params
            for media_type, has_params in _media_ranges(accept)
            if media_type == MEDIA_TYPE
        ]
        if jsonapi_ranges and all(jsonapi_ranges):
            raise NotAcceptable(
                f"{MEDIA_TYPE} is only served without media type parameters."
            )
        return super().select_renderer(request, renderers, format_suffix)
