"""Revoke every token of a user at once; their next request gets a 401."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import tokens


class Command(BaseCommand):
    help = "Delete every API token of a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="Username or e-mail address.")

    def handle(self, *args, user: str, **options) -> None:
        account = tokens.find_user(user)
        if account is None:
            raise CommandError(
                f"No single active user has the name or e-mail {user!r}."
            )
        count = tokens.revoke_all(account)
        self.stdout.write(f"Revoked {count} token(s) of {account.get_username()}.")
