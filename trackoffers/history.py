"""Who is changing copy scan, and the record of every change.

Code that changes track offers on someone's behalf says so with
``acting(user, source)``; every change to a track offer's copy-scan override
made inside is recorded with that user and source. Outside any ``acting``
block (``manage.py shell``), changes are recorded as made from the shell.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser


class Source:
    API = "api"
    ADMIN = "admin"
    COMMAND = "command"
    SHELL = "shell"

    CHOICES = [(API, "API"), (ADMIN, "Admin"), (COMMAND, "Command"), (SHELL, "Shell")]


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None
    source: str

    @property
    def name(self) -> str:
        """Return the user's name, or the source when no user is known."""
        if self.user is not None and self.user.is_authenticated:
            return self.user.get_username()
        return self.source


_current: ContextVar[Actor | None] = ContextVar("copy_scan_actor", default=None)


@contextmanager
def acting(user: AbstractBaseUser | None, source: str) -> Iterator[Actor]:
    """Attribute the copy-scan changes made inside to ``user`` via ``source``."""
    actor = Actor(user, source)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def current_actor() -> Actor:
    return _current.get() or Actor(None, Source.SHELL)
