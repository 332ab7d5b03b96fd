from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.models import AuthToken


class BearerAuthentication(TokenAuthentication):
    """knox's hashed, expiring tokens, sent as ``Authorization: Bearer ...``.

    knox loads every token of the user on each request to delete the expired
    ones; here only the presented token is checked, and expired tokens are
    deleted by ``manage.py prune_tokens``.
    """

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


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
