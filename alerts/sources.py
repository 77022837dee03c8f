"""What the alert checker reads about a store, each through one function.

``device_states`` reads ``devices.selectors.device_health``, whose entries carry ``state``
("online" | "refusing" | "silent", decided by ``devices.health`` from data documents alone) and
``refusal`` ({reason, document_id, received_at, console_url}): the checker alerts on exactly
what the dashboards and the console show, never on a rule of its own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Sum

from alerts import anomalies
from analytics.models import HourlyCustomers
from devices.models import HourlyFootfall
from devices.selectors import device_health
from stores.models import Store, StoreHeartbeat

SENDER_SOURCE = "sender"


def device_states(store: Store, now: datetime) -> list[dict[str, Any]]:
    """``device_health`` entries, each with ``state`` and ``refusal`` (``None`` unless refusing)."""
    return device_health(store, now)


def last_heartbeat(store: Store) -> datetime | None:
    return StoreHeartbeat.objects.filter(store=store).values_list("received_at", flat=True).first()


def count_series(store: Store, now: datetime) -> dict[tuple[str, str], dict[datetime, int]]:
    """``{(source, label): {UTC hour: visitors}}`` over the span an anomaly check reads.

    Cameras per device (object type 0, enters): a blocked lens on one of two doors only halves
    the store's total, which a store-level series would call a quiet day. The sender's counts
    are summed over its cameras, per store.
    """
    start = anomalies.history_start(now)
    series: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
    camera_rows = HourlyFootfall.objects.filter(store=store, object_type=0, hour__gte=start, hour__lt=now).values_list(
        "device__device_id", "device__name", "hour", "enters"
    )
    for device_id, name, hour, enters in camera_rows:
        series[(f"camera:{device_id}", name or device_id)][hour] = enters
    sender_rows = (
        HourlyCustomers.objects.filter(store=store, hour__gte=start, hour__lt=now, entered__isnull=False)
        .values("hour")
        .annotate(total=Sum("entered"))
        .values_list("hour", "total")
        .order_by()
    )
    for hour, total in sender_rows:
        series[(SENDER_SOURCE, "")][hour] = total
    return dict(series)
