"""A plain-text progress bar for long management commands."""

from django.core.management.base import OutputWrapper


class ProgressBar:
    """Redraws one line of a command's output (its stderr) as work advances."""

    def __init__(
        self, stream: OutputWrapper, total: int, label: str, width: int = 30
    ) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.label = label
        self.width = width
        self.done = 0

    def advance(self, count: int) -> None:
        self.update(self.done + count)

    def update(self, done: int) -> None:
        """Redraw the bar at ``done`` units; the last one ends the line."""
        self.done = min(done, self.total)
        filled = self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        ending = "\n" if self.done == self.total else ""
        line = f"\r[{bar}] {self.done:,}/{self.total:,} {self.label}"
        # Plain text: Django would colour everything on stderr as an error.
        self.stream.write(line, style_func=str, ending=ending)
        self.stream.flush()
