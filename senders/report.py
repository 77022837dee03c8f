"""Progress lines, the summary and the exit code a cron wrapper acts on.

Exit codes (documented in docs/senders.md):

- 0 everything the user asked for was sent (warnings, if any, are printed);
- 2 bad payload, flag or config: nothing sent or stored;
- 3 the panel refused the credentials (401/403), or the client is not installed / this Python is
  older than 3.8 (one line naming the fix): nothing stored;
- 4 panel unreachable, timed out or 5xx: the data is safe in the spool and will be resent;
- 5 the panel rejected a request (4xx), or a damaged spool entry or spool file was moved aside:
  look at it, it will not be retried;
- 6 sent, but a snapshot the user asked for (``setup --snapshots``) could not be taken.

Other warnings (a camera without a snapshot when none was demanded, OpenCV not installed, an
expected zone missing, a config file others can read) are printed and leave the code at 0: a
cron wrapper must not see a failure for a run that delivered everything (issue 18).
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
        """Something the operator should read that did not stop anything (exit code unchanged)."""
        print(f"warning: {line}", file=self.err or sys.stderr, flush=True)

    @property
    def exit_code(self) -> int:
        return next(code for code in URGENCY if code in self.codes or code == OK)


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
