"""The local outbox: requests the panel has not accepted yet, durable across reboots.

A SQLite file (stdlib ``sqlite3``, ``synchronous=FULL``) so a power cut on the store PC loses
nothing. Every request is written here *before* it is sent and deleted only after the panel
answered 2xx, so a crash in between means one harmless resend (the panel upserts), never a loss.
Entries are kept per account and only ever resent with that same account (a store PC that
sends for several stores, seed scenario C, keeps them apart), to whatever panel URL is
configured when they are flushed: a panel that moved, or a typo fixed in ``--url``, must not
strand what was waiting.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    url TEXT NOT NULL,
    account TEXT NOT NULL,
    feed TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    records INTEGER NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS moved_aside (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    moved_at REAL NOT NULL,
    url TEXT NOT NULL,
    account TEXT NOT NULL,
    feed TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS backoff (
    account TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    next_attempt_at REAL NOT NULL
);
"""
BACKOFF_BASE = 60.0
BACKOFF_MAX = 3600.0


def default_spool_dir() -> Path:
    """A per-user data folder: ``$XDG_DATA_HOME`` or ``~/.local/share`` (``%LOCALAPPDATA%`` on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "vislivis-senders"


def backoff_delay(failures: int) -> float:
    """1, 2, 4 … minutes after consecutive failed flushes, at most an hour."""
    return min(BACKOFF_BASE * 2 ** max(0, failures - 1), BACKOFF_MAX)


@dataclass(frozen=True)
class Entry:
    id: int
    created_at: float
    feed: str
    endpoint: str
    records: int
    body: str
    attempts: int


class Spool:
    """The outbox file. ``notices`` collects things the user should hear (a damaged file moved)."""

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "spool.sqlite3"
        self.clock = clock
        self.notices: list[str] = []
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.directory.chmod(0o700)  # payloads may name cameras and stores; keep them private
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            # A damaged file must not stop today's data: keep it for inspection, start afresh.
            stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.clock()))
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(self.path) + suffix).unlink()
            self.notices.append(f"spool file {self.path} was unreadable ({exc}); moved to {aside}")
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM outbox").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def flush_lock(self) -> Iterator[None]:
        """One flusher at a time (a heartbeat loop and an hourly cron run may meet)."""
        try:
            import fcntl
        except ImportError:  # Windows: the panel's upserts make a rare double send harmless
            yield
            return
        with open(self.directory / "flush.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, *, url: str, account: str, feed: str, endpoint: str, records: int, body: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO outbox (created_at, url, account, feed, endpoint, records, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.clock(), url, account, feed, endpoint, records, body),
        )
        return int(cursor.lastrowid)

    def pending(self, account: str) -> list[Entry]:
        rows = self.db.execute(
            "SELECT id, created_at, feed, endpoint, records, body, attempts FROM outbox WHERE account = ? ORDER BY id",
            (account,),
        ).fetchall()
        return [Entry(*row) for row in rows]

    def exists(self, entry_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM outbox WHERE id = ?", (entry_id,)).fetchone() is not None

    def delete(self, entry_id: int) -> None:
        self.db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    def note_attempt(self, entry_id: int, error: str) -> None:
        self.db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", (error, entry_id))

    def move_aside(self, entry_id: int, reason: str) -> None:
        """Keep a request the panel refused (or that is damaged) out of the queue, but never lose it."""
        with self._transaction():
            self.db.execute(
                "INSERT INTO moved_aside (id, created_at, moved_at, url, account, feed, endpoint, body, reason) "
                "SELECT id, created_at, ?, url, account, feed, endpoint, body, ? FROM outbox WHERE id = ?",
                (self.clock(), reason, entry_id),
            )
            self.db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))

    # --- back-off between automatic flushes --------------------------------------------------

    def is_due(self, account: str) -> bool:
        row = self.db.execute("SELECT next_attempt_at FROM backoff WHERE account = ?", (account,)).fetchone()
        return row is None or row[0] <= self.clock()

    def record_failure(self, account: str) -> float:
        """Push the next automatic flush further out; returns the delay in seconds."""
        row = self.db.execute("SELECT failures FROM backoff WHERE account = ?", (account,)).fetchone()
        failures = (row[0] if row else 0) + 1
        delay = backoff_delay(failures)
        self.db.execute(
            "INSERT OR REPLACE INTO backoff (account, failures, next_attempt_at) VALUES (?, ?, ?)",
            (account, failures, self.clock() + delay),
        )
        return delay

    def record_success(self, account: str) -> None:
        self.db.execute("DELETE FROM backoff WHERE account = ?", (account,))

    # --- reporting ----------------------------------------------------------------------------

    def status(self) -> dict:
        waiting = self.db.execute(
            "SELECT account, feed, count(*), sum(records), min(created_at), max(attempts) "
            "FROM outbox GROUP BY account, feed ORDER BY min(id)"
        ).fetchall()
        moved = self.db.execute(
            "SELECT id, feed, moved_at, reason FROM moved_aside ORDER BY id DESC LIMIT 20"
        ).fetchall()
        moved_total = self.db.execute("SELECT count(*) FROM moved_aside").fetchone()[0]
        backoff = self.db.execute("SELECT account, failures, next_attempt_at FROM backoff").fetchall()
        return {"waiting": waiting, "moved_aside": moved, "moved_aside_total": moved_total, "backoff": backoff}

    def count(self, account: str | None = None) -> int:
        if account is None:
            return self.db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM outbox WHERE account = ?", (account,)).fetchone()[0]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
