"""Resource links built from a template instead of a URL resolver pass each.

A page of 20 track offers carries 100 links (the resource's own, and self
and related for two relationships); ``reverse()`` walks the URL patterns for
each. The path of a view differs from one id to the next only in the id, so
each view's path is reversed once, with a marker for the id, and the marker
is replaced for every row.
"""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# Digits, so that every id pattern accepts it and reverse() leaves it alone;
# long enough to appear nowhere else in a path.
MARKER = "7356016242961539911"


@functools.lru_cache(maxsize=256)
def _template(
    view_name: str, extra: tuple[tuple[str, str], ...], prefix: str, urlconf
) -> str:
    # The script prefix and URLconf are part of the key: either changes what
    # reverse() returns.
    return reverse(view_name, kwargs={"pk": MARKER, **dict(extra)}, urlconf=urlconf)


def resource_url(request, view_name: str, pk: int, **extra: str) -> str:
    """Return the absolute URL of ``view_name`` for ``pk``, as reverse() would.

    ``extra`` holds the other URL arguments (``related_field``); they are
    part of the cached template, so they must come from code, not clients.
    """
    if not isinstance(pk, int):
        path = reverse(view_name, kwargs={"pk": pk, **extra})
    else:
        template = _template(
            view_name, tuple(sorted(extra.items())), get_script_prefix(), get_urlconf()
        )
        path = template.replace(MARKER, str(pk))
    return base_url(request) + path


def base_url(request) -> str:
    """Return ``scheme://host`` of the request, worked out once per request.

    ``build_absolute_uri()`` checks the host against ALLOWED_HOSTS and
    re-quotes the path on every call; the paths here are already quoted.
    """
    base = getattr(request, "_resource_link_base", None)
    if base is None:
        base = request.build_absolute_uri("/")[:-1]
        request._resource_link_base = base
    return base
