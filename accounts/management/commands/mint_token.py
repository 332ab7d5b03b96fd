"""Mint an API token for a user, for machine clients, and print it once.

Only a digest is stored: the printed token cannot be shown again.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import tokens


class Command(BaseCommand):
    help = "Create a Bearer token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="Username or e-mail address.")
        lifetime = parser.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--days", type=int, help="Lifetime in days (default: TOKEN_TTL_SECONDS)."
        )
        lifetime.add_argument(
            "--no-expiry", action="store_true", help="A token that never expires."
        )

    def handle(self, *args, user: str, days: int | None, no_expiry: bool, **options):
        account = tokens.find_user(user)
        if account is None:
            raise CommandError(
                f"No single active user has the name or e-mail {user!r}."
            )
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        if no_expiry:
            ttl = None
        elif days is not None:
            ttl = timedelta(days=days)
        else:
            ttl = tokens.default_ttl()
        token, secret = tokens.mint(account, ttl=ttl)
        expiry = token.expiry.isoformat() if token.expiry else "never"
        self.stderr.write(f"Token for {account.get_username()}, expires {expiry}:")
        self.stdout.write(secret)
