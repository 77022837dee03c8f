"""The apply side of the bench: ``manage.py apply_documents`` processes, drain timing, apply lag.

A camera push only keeps its document (outcome "pending"); appliers apply them in batches
(``devices.applier``). The bench starts the appliers as production runs them: their own
processes, with the same environment as the bench's gunicorn, stopped by SIGTERM and their ids.
Their throughput is timed from the outside (the backlog as ``devices.applier.backlog`` reads it),
and the apply lag of a run's documents is read from the database (``applied_at - received_at``).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class Appliers:
    """``count`` ``manage.py apply_documents`` processes against the environment's database."""

    def __init__(
        self,
        env: dict[str, str],
        count: int = 1,
        batch: int | None = None,
        log_path: Path | None = None,
    ):
        self.env = env
        self.count = count
        self.batch = batch
        self.log_path = log_path or Path("/tmp/vislivis-bench-appliers.log")
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        command = [sys.executable, "manage.py", "apply_documents"]
        if self.batch:
            command += ["--batch", str(self.batch)]
        self._log = self.log_path.open("ab")
        for _ in range(self.count):
            self.processes.append(
                subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
            )

    def check(self) -> None:
        """An applier that exited on its own is a failed run, not a slow one."""
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"apply_documents exited with {process.returncode}; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM (each finishes its batch and exits), then SIGKILL for one that does not."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.processes = []
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> Appliers:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def pending() -> int:
    from devices.applier import backlog

    return backlog().pending


def wait_drained(appliers: Appliers, timeout: float = 180.0, poll: float = 0.05, settle: float = 1.0) -> dict[str, Any]:
    """Wait until nothing is pending, and stays so for ``settle`` s; how long it took and the rate.

    The settle time is there because the server can still be finishing a push whose client has
    already gone (a timed-out or closed connection: "Broken pipe" in the server log). That
    document is kept, so it turns up pending after the load generator returned; the appliers
    must get it too, or the next phase starts with a backlog that is not its own.
    ``docs_per_s`` counts from the first batch seen committed to the first empty backlog, so the
    appliers' start-up (a Django import, ~1 s) is not in it; ``seconds`` is that same moment.
    """
    began = time.monotonic()
    at_start = pending()
    first_seen: tuple[float, int] | None = None
    empty_since: float | None = None
    done = began
    while True:
        left = pending()
        now = time.monotonic()
        if left:
            empty_since = None
            if first_seen is None and left < at_start:
                first_seen = (now, left)
        elif empty_since is None:
            empty_since = done = now
        if empty_since is not None and now - empty_since >= settle:
            break
        appliers.check()
        if now - began > timeout:
            raise RuntimeError(f"appliers left {left} of {at_start} documents pending after {timeout:.0f} s")
        time.sleep(poll)
    rate = None
    if first_seen is not None and done > first_seen[0] and first_seen[1]:
        rate = round(first_seen[1] / (done - first_seen[0]), 1)
    return {"documents": at_start, "seconds": round(done - began, 2), "docs_per_s": rate}


def discard_pending() -> int:
    """Delete every pending document (the bench's own database only): a known backlog to time."""
    from django.db import connection

    if not pending():
        return 0
    if "bench" not in connection.settings_dict["NAME"]:
        raise RuntimeError(f"refusing to discard pending documents of {connection.settings_dict['NAME']!r}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM devices_receiveddocument WHERE outcome = 'pending'")
        return cursor.rowcount


def lag(since: datetime, until: datetime, kind: str = "RTMetrics") -> dict[str, Any]:
    """Apply lag (``applied_at - received_at``) of the documents of ``kind`` received in a window."""
    from django.db import connection

    seconds = "extract(epoch FROM applied_at - received_at)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*),
                   count(*) FILTER (WHERE outcome = 'accepted'),
                   count(*) FILTER (WHERE outcome = 'pending'),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY {seconds}),
                   max({seconds})
              FROM devices_receiveddocument
             WHERE kind = %s AND received_at >= %s AND received_at <= %s
            """,
            [kind, since, until],
        )
        documents, accepted, still_pending, p50, p99, worst = cursor.fetchone()

    def rounded(value: Any) -> float | None:
        return None if value is None else round(float(value), 3)

    return {
        "documents": documents,
        "accepted": accepted,
        "pending": still_pending,
        "lag_p50_s": rounded(p50),
        "lag_p99_s": rounded(p99),
        "lag_max_s": rounded(worst),
    }
