"""The usage flags an offer grants and a track offer may override.

The rule that decides a track's effective usage in an offer lives here, once
in Python (``effective_usage``) and once as SQL (``effective_flag``), and the
tests check that both agree.
"""

from django.db.models import Expression, F
from django.db.models.functions import Coalesce

USAGE_FLAGS = ("download", "on_demand_stream", "non_interactive_stream", "copy_scan")


def effective_usage(
    offer_usage: dict[str, bool], overrides: dict[str, bool | None]
) -> dict[str, bool]:
    """Return the offer's flags with the track offer's overrides on top.

    A flag the track offer does not override (absent or None) comes from the
    offer; with no track offer at all, every flag does, so copy scan is on
    unless the offer turns it off.

    >>> effective_usage({"copy_scan": True, "download": True}, {"copy_scan": False})
    {'copy_scan': False, 'download': True}
    """
    return {
        flag: overrides[flag] if overrides.get(flag) is not None else value
        for flag, value in offer_usage.items()
    }


def effective_flag(*, override: str, offer: str | Expression) -> Coalesce:
    """Return the SQL form of ``effective_usage`` for one flag.

    ``override`` is the path to the track offer's column of the flag and
    ``offer`` the path to (or an expression for) the offer's, e.g.
    ``effective_flag(override="copy_scan", offer="offer__copy_scan")`` on
    track offers.
    """
    return Coalesce(F(override), F(offer) if isinstance(offer, str) else offer)
