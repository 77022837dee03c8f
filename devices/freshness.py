"""How fresh the camera data is: what waits for the applier, for ``/readyz`` and the console.

A camera push is kept as a pending document and answered; the appliers (``manage.py
apply_documents``, ``devices.applier``) make its counts visible. The apply lag is the age of the
oldest pending document: while it stays small the dashboards are current; when it grows the
appliers are down, too few, or blocked (docs/operations.md, "Scaling out the camera ingest").

``apply_lag_warn_seconds()`` is the lag past which ``/readyz`` says ``"degraded"`` and the console
marks the backlog; it never makes ``/readyz`` fail (``vislivis.health`` says why).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from devices.applier import Backlog
from devices.models import Outcome, ReceivedDocument

DEFAULT_APPLY_LAG_WARN_SECONDS = 60.0


def apply_lag_warn_seconds() -> float:
    """``DEVICES_APPLY_LAG_WARN_SECONDS`` (setting, then environment; default 60): a positive number."""
    raw = getattr(settings, "DEVICES_APPLY_LAG_WARN_SECONDS", None)
    if raw is None:
        raw = os.environ.get("DEVICES_APPLY_LAG_WARN_SECONDS") or DEFAULT_APPLY_LAG_WARN_SECONDS
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"DEVICES_APPLY_LAG_WARN_SECONDS must be a number of seconds, not {raw!r}."
        ) from None
    if not value > 0:  # also refuses NaN
        raise ImproperlyConfigured("DEVICES_APPLY_LAG_WARN_SECONDS must be more than 0.")
    return value


def is_lagging(backlog: Backlog, now: datetime | None = None) -> bool:
    return backlog.lag_seconds(now) > apply_lag_warn_seconds()


@dataclass(frozen=True)
class ScopedBacklog:
    """The backlog among some documents (a brand's, or every brand's) and the oldest of them."""

    backlog: Backlog
    oldest: ReceivedDocument | None


def backlog_of(documents: QuerySet[ReceivedDocument]) -> ScopedBacklog:
    """Pending documents among ``documents`` (the console passes its tenant-scoped queryset, so a
    brand admin counts only their stores' documents) and the oldest one, with its store for the
    store-time display. Two reads of the partial index on pending documents."""
    pending = documents.filter(outcome=Outcome.PENDING).order_by()
    count = pending.count()
    oldest = pending.select_related("store").defer("body").order_by("received_at", "pk").first() if count else None
    return ScopedBacklog(Backlog(pending=count, oldest_received_at=oldest.received_at if oldest else None), oldest)
