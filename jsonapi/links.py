"""Resource links built from a template instead of a URL resolver pass each.

A page of 20 track offers carries 100 links (the resource's own, and self
and related for two relationships); ``reverse()`` walks the URL patterns for
each. The path of a view differs from one id to the next only in the id, so
each view's path is reversed once, with a marker for the id, and the marker
is replaced for every row.
"""

import functools
from collections.abc import Callable

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
        return request.build_absolute_uri(
            reverse(view_name, kwargs={"pk": pk, **extra})
        )
    return url_maker(request, view_name, **extra)(pk)


def url_maker(request, view_name: str, **extra: str) -> Callable[[int], str]:
    """Return a function from an integer id to its absolute URL of ``view_name``.

    Each request keeps the functions it made, with its scheme and host in
    front: the script prefix and URLconf are thread-locals, slow to read
    a hundred times per page.
    """
    makers = getattr(request, "_resource_url_makers", None)
    if makers is None:
        makers = request._resource_url_makers = {}
    key = (view_name, *extra.items())
    if key not in makers:
        path = _template(
            view_name, tuple(sorted(extra.items())), get_script_prefix(), get_urlconf()
        )
        head, _, tail = path.partition(MARKER)
        head = request.build_absolute_uri("/")[:-1] + head

        def url(pk: int) -> str:
            return f"{head}{pk}{tail}"

        makers[key] = url
    return makers[key]
