"""Delete expired tokens; they are already refused, this only frees space."""

from django.core.management.base import BaseCommand

from accounts import tokens


class Command(BaseCommand):
    help = "Delete every expired API token."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Deleted {tokens.prune_expired()} expired token(s).")
