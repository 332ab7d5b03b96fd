"""Memoized name formatting for djangorestframework-jsonapi.

DJA formats every resource type and member name again for every row it
renders: regular-expression pluralizing and dasherizing, a third of a list
request's CPU. Those functions are pure (their output depends on their
arguments alone), so their results are kept. The caches are bounded because
some inputs come from clients (query parameter names).
"""

import functools

import inflection
from rest_framework_json_api import utils

CACHE_SIZE = 1024


def memoize_inflection() -> None:
    """Put bounded caches in front of the string functions DJA calls per row.

    DJA calls them as module attributes (``utils.format_value``,
    ``inflection.pluralize``), so replacing the attributes reaches every
    caller. Idempotent.
    """
    for module, name in (
        (utils, "format_value"),
        (inflection, "pluralize"),
        (inflection, "singularize"),
        (inflection, "underscore"),
        (inflection, "dasherize"),
        (inflection, "camelize"),
    ):
        function = getattr(module, name)
        if not hasattr(function, "cache_info"):
            setattr(module, name, functools.lru_cache(maxsize=CACHE_SIZE)(function))
