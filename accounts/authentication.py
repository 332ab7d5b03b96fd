from django.utils import timezone
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
