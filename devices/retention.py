"""The daily retention run of the devices app: partitions ahead, then expired months dropped.

Replaces the row-by-row purge of kept documents (``DELETE … WHERE received_at < cutoff`` over
~12 MB per camera-day): each month of documents and of minute counts is one partition, dropped
whole once past its retention (``devices.partitions``). Hourly rollups are never touched.
"""

from __future__ import annotations

from datetime import datetime

from django.db import DEFAULT_DB_ALIAS

from devices import partitions


def purge(now: datetime | None = None, document_days: int | None = None, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Create the coming months' partitions, then drop the expired ones; what it did, as a dict.

    Creating comes first so a day when the drop fails on a lock still leaves the next months
    ready. ``document_days`` overrides ``DEVICE_DOCUMENT_RETENTION_DAYS`` (the purge command's
    ``--days``). Safe to run twice: the second run finds nothing to do.
    """
    created = partitions.ensure_partitions(now=now, using=using)
    dropped = partitions.drop_expired(now=now, using=using, document_days=document_days)
    report = dropped.as_dict()
    report.update(created=created.created, moved=created.moved, skipped=created.skipped + dropped.skipped)
    return report
