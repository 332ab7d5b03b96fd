from hmac import compare_digest

from django.contrib.auth.models import Permission
from django.db.models import Aggregate, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions


class JoinedNames(Aggregate):
    """The values of a column joined with commas, on PostgreSQL and SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", **extra_context
        )


def permission_names():
    """A subquery: the "app_label.codename" of every permission of the user."""
    names = (
        Permission.objects.filter(
            Q(user=OuterRef("user_id")) | Q(group__user=OuterRef("user_id"))
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(
            names=JoinedNames(Concat("content_type__app_label", Value("."), "codename"))
        )
        .values("names")
    )
    return Subquery(names, output_field=TextField())


class BearerAuthentication(TokenAuthentication):
    """knox's hashed, expiring tokens, sent as ``Authorization: Bearer ...``.

    One query finds the token, its user and the user's permissions, where
    knox alone needs three (and loads every token of the user on each
    request to delete the expired ones: here only the presented token is
    checked, and ``manage.py prune_tokens`` deletes expired tokens).
    """

    def authenticate_credentials(self, token: bytes):
        secret = token.decode("utf-8", errors="replace")
        candidates = (
            AuthToken.objects.filter(token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
            .annotate(permission_names=permission_names())
        )
        for auth_token in candidates:
            if not self.matches(secret, auth_token):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                break
            user = self.validate_user(auth_token)[0]
            # Read by accounts.backends.ModelBackend instead of two queries.
            names = auth_token.permission_names or ""
            user._perm_cache = {name for name in names.split(",") if name}
            return user, auth_token
        raise exceptions.AuthenticationFailed("Invalid token.")

    def matches(self, secret: str, auth_token: AuthToken) -> bool:
        try:
            digest = hash_token(secret)
        except (TypeError, ValueError):
            return False
        return compare_digest(digest, auth_token.digest)


class BearerScheme(OpenApiAuthenticationExtension):
    """Declares the scheme in the OpenAPI document.

    HTTP bearer, so that Swagger UI's authorize button takes the bare token
    and sends the ``Bearer`` prefix itself.
    """

    target_class = BearerAuthentication
    name = "bearerAuth"
    # Above drf-spectacular's own extension for knox, which matches this
    # subclass too and declares an API key header with the "Token" prefix.
    priority = 1

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /oauth/token or manage.py mint_token.",
        }
