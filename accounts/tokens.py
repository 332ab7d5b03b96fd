"""Issuing and revoking API tokens (stored as SHA-512 digests by knox)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings


def default_ttl() -> timedelta:
    return knox_settings.TOKEN_TTL


def mint(user: AbstractBaseUser, *, ttl: timedelta | None) -> tuple[AuthToken, str]:
    """Create a token for ``user`` and return it with its only clear copy.

    ``ttl=None`` makes a token that never expires.
    """
    return AuthToken.objects.create(user=user, expiry=ttl)


def revoke_all(user: AbstractBaseUser) -> int:
    """Delete every token of ``user``; return how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def prune_expired() -> int:
    """Delete expired tokens of every user; return how many."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def find_user(identifier: str) -> AbstractBaseUser | None:
    """Return the active user with this username or e-mail address, if unique."""
    users = list(
        get_user_model()
        .objects.filter(Q(username=identifier) | Q(email__iexact=identifier))
        .filter(is_active=True)[:2]
    )
    return users[0] if len(users) == 1 else None
