"""Fixed-window limits on login attempts, per account and per client address.

Counters live in Django's cache. The default cache is per process: behind
several workers or servers, set ``REDIS_URL`` so that they share counts.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """Return the client's address, trusting ``TRUSTED_PROXY_COUNT`` proxies.

    Each trusted proxy appends the address it received the request from to
    ``X-Forwarded-For``, so the client is that many entries from the right.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def _hit(scope: str, key: str, limit: int) -> int:
    """Count one attempt; return the seconds to wait if over ``limit``, or 0."""
    now = int(time.time())
    window = now - now % WINDOW_SECONDS
    digest = hashlib.sha256(key.lower().encode()).hexdigest()
    cache_key = f"throttle:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS)
    if cache.incr(cache_key) > limit:
        return window + WINDOW_SECONDS - now
    return 0


def login_attempt(request: HttpRequest, account: str) -> int:
    """Count a login attempt; return seconds to wait (0: go ahead).

    Both counters advance on every attempt, so one address cannot try many
    accounts quickly, nor many addresses one account.
    """
    waits = [
        _hit("account", account, settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT),
        _hit(
            "address",
            client_address(request),
            settings.LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS,
        ),
    ]
    return max(waits)
