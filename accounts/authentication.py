from collections.abc import Iterator
from dataclasses import dataclass
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions


def _token_query(connection) -> str:
    """Return the SQL that finds a token, its user and the user's permissions.

    Written out once per database vendor: the same query through the ORM
    (a subquery aggregating permission names) cost more CPU to compile, on
    every request, than everything else the authentication does.
    """
    quote = connection.ops.quote_name
    aggregate = "GROUP_CONCAT" if connection.vendor == "sqlite" else "STRING_AGG"
    user_model = get_user_model()

    def table(model) -> str:
        return quote(model._meta.db_table)

    token_columns = ", ".join(
        f"t.{quote(field.column)}" for field in AuthToken._meta.concrete_fields
    )
    user_columns = ", ".join(
        f"u.{quote(field.column)}" for field in user_model._meta.concrete_fields
    )
    user_permissions = user_model.user_permissions.through
    group_permissions = Group.permissions.through
    user_groups = user_model.groups.through
    return (
        f"SELECT {token_columns}, {user_columns},"
        f" (SELECT {aggregate}(c.app_label || '.' || p.codename, ',')"
        f"  FROM {table(Permission)} p"
        f"  JOIN {table(ContentType)} c ON c.id = p.content_type_id"
        f"  WHERE p.id IN (SELECT permission_id FROM {table(user_permissions)}"
        f"                 WHERE user_id = u.id)"
        f"     OR p.id IN (SELECT g.permission_id FROM {table(group_permissions)} g"
        f"                 JOIN {table(user_groups)} ug ON ug.group_id = g.group_id"
        f"                 WHERE ug.user_id = u.id))"
        f" FROM {table(AuthToken)} t JOIN {table(user_model)} u ON u.id = t.user_id"
        f" WHERE t.token_key = %s"
    )


@dataclass(frozen=True)
class _TokenQuery:
    sql: str
    token_fields: list[str]
    user_fields: list[str]
    # Per column, the column and the backend's and the field's converters
    # (SQLite returns dates as strings).
    converters: list[tuple]


_QUERIES: dict[str, _TokenQuery] = {}


def _prepared(alias: str) -> _TokenQuery:
    if alias not in _QUERIES:
        connection = connections[alias]
        fields = [
            *AuthToken._meta.concrete_fields,
            *get_user_model()._meta.concrete_fields,
        ]
        converters = []
        for field in fields:
            column = field.get_col(field.model._meta.db_table)
            converters.append(
                (
                    column,
                    [
                        *connection.ops.get_db_converters(column),
                        *field.get_db_converters(connection),
                    ],
                )
            )
        _QUERIES[alias] = _TokenQuery(
            sql=_token_query(connection),
            token_fields=[f.attname for f in AuthToken._meta.concrete_fields],
            user_fields=[f.attname for f in get_user_model()._meta.concrete_fields],
            converters=converters,
        )
    return _QUERIES[alias]


def tokens_with_key(key: str) -> Iterator[tuple[AuthToken, set[str]]]:
    """Yield each token with this key, its user loaded, and their permissions.

    One query. The permissions are "app_label.codename" names, as
    ModelBackend reports them.
    """
    alias = router.db_for_read(AuthToken)
    connection = connections[alias]
    query = _prepared(alias)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [key])
        rows = cursor.fetchall()
    split = len(query.token_fields)
    for row in rows:
        values = list(row[:-1])
        for position, (column, converters) in enumerate(query.converters):
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        token = AuthToken.from_db(alias, query.token_fields, values[:split])
        token.user = get_user_model().from_db(alias, query.user_fields, values[split:])
        names = row[-1] or ""
        yield token, {name for name in names.split(",") if name}


class BearerAuthentication(TokenAuthentication):
    """knox's hashed, expiring tokens, sent as ``Authorization: Bearer ...``.

    One query finds the token, its user and the user's permissions, where
    knox alone needs three (and loads every token of the user on each
    request to delete the expired ones: here only the presented token is
    checked, and ``manage.py prune_tokens`` deletes expired tokens).
    """

    def authenticate_credentials(self, token: bytes):
        secret = token.decode("utf-8", errors="replace")
        for auth_token, permissions in tokens_with_key(
            secret[: CONSTANTS.TOKEN_KEY_LENGTH]
        ):
            if not self.matches(secret, auth_token):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                break
            user = self.validate_user(auth_token)[0]
            # Read by accounts.backends.ModelBackend instead of two queries.
            user._perm_cache = permissions
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
