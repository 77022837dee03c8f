"""Applies accepted camera documents in batches (the push only keeps them: ``devices.services``).

Work in progress: ``backlog`` is final; ``apply_batch`` follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class Backlog:
    """What waits for the applier: how many documents, and the oldest one's receive time."""

    pending: int
    oldest_received_at: datetime | None

    def lag_seconds(self, now: datetime | None = None) -> float:
        """The apply lag: the age of the oldest pending document (0 when nothing waits)."""
        if self.oldest_received_at is None:
            return 0.0
        return max(0.0, ((now or timezone.now()) - self.oldest_received_at).total_seconds())


def backlog() -> Backlog:
    """Pending documents and the oldest one's receive time: one read of the partial index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(received_at) FROM devices_receiveddocument WHERE outcome = 'pending'"
        )
        pending, oldest = cursor.fetchone()
    return Backlog(pending=pending, oldest_received_at=oldest)
