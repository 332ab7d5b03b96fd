"""Run a manage.py command, then write down its peak memory.

``python -m bench.peak FILE ARGUMENTS...`` runs ``manage.py ARGUMENTS...``
in this process and writes its peak resident set size (VmHWM, in kB) to
FILE. The rusage a parent reads for its child would not do: Linux carries
the parent's own peak at fork time into the child's.
"""

import sys
from pathlib import Path

from django.core.management import execute_from_command_line


def peak_kb() -> int:
    """Return this process's peak resident set size in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmHWM line")


def main() -> None:
    output, arguments = sys.argv[1], sys.argv[2:]
    try:
        execute_from_command_line(["manage.py", *arguments])
    finally:
        Path(output).write_text(str(peak_kb()))


if __name__ == "__main__":
    main()
