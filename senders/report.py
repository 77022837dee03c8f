"""Progress lines, the summary and the exit code a cron wrapper acts on.

Exit codes (documented in docs/senders.md):
0 everything sent · 2 bad payload, flag or config (nothing sent or stored) · 3 the panel refused
the credentials (401/403; nothing stored) · 4 panel unreachable, timed out or 5xx: the data is
safe in the spool and will be resent · 5 the panel rejected a request (4xx), or a damaged spool
entry was moved aside: look at it, it will not be retried · 6 sent, with warnings (a camera gave
no snapshot, an expected zone or cashier was missing from the hour's numbers).
When several apply, the most urgent wins: 3, then 5, then 4, then 6.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

OK, USAGE, AUTH, UNREACHABLE, REJECTED, WARNING = 0, 2, 3, 4, 5, 6
URGENCY = [AUTH, REJECTED, UNREACHABLE, WARNING, OK]


@dataclass
class Report:
    """Collects what happened; prints each line as it happens unless ``quiet``."""

    quiet: bool = False
    out: TextIO | None = None
    err: TextIO | None = None
    codes: set[int] = field(default_factory=set)
    sent: int = 0
    spooled: int = 0
    rejected: int = 0

    def info(self, line: str) -> None:
        if not self.quiet:
            print(line, file=self.out or sys.stdout, flush=True)

    def problem(self, line: str, code: int) -> None:
        self.codes.add(code)
        print(line, file=self.err or sys.stderr, flush=True)

    def warn(self, line: str) -> None:
        self.problem(f"warning: {line}", WARNING)

    @property
    def exit_code(self) -> int:
        return next(code for code in URGENCY if code in self.codes or code == OK)


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
