"""What the alert checker reads about a store, each through one function.

``device_states`` is the one adapter to ``devices.selectors.device_health``: the health work
adds ``state`` ("online" | "refusing" | "silent") and ``refusal`` ({reason, document_id,
received_at, console_url}) to each entry. Until an entry carries them, the state is derived
here from the same facts the SPEC names: online while heard within the store's inactivity
timeout, *refusing* when the newest document of the device in that timeout was refused and no
data document was accepted after it, *silent* otherwise. One aggregate query per store.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Max, Q, Sum
from django.urls import NoReverseMatch, reverse

from alerts import anomalies
from analytics.models import HourlyCustomers
from devices.models import HourlyFootfall, Outcome, ReceivedDocument
from devices.selectors import device_health
from stores.models import Store, StoreHeartbeat

ONLINE, REFUSING, SILENT = "online", "refusing", "silent"
DATA_KINDS = ("Metrics", "RTMetrics")
SENDER_SOURCE = "sender"


def device_states(store: Store, now: datetime) -> list[dict[str, Any]]:
    """``device_health`` entries, each with ``state`` and ``refusal`` (``None`` unless refusing)."""
    entries = device_health(store, now)
    if all("state" in entry for entry in entries):
        return entries
    refusals = _recent_refusals(store, now)
    for entry in entries:
        if "state" in entry:
            continue
        refusal = refusals.get(entry["device_id"])
        entry["refusal"] = refusal
        entry["state"] = REFUSING if refusal else (ONLINE if entry["online"] else SILENT)
    return entries


def _recent_refusals(store: Store, now: datetime) -> dict[str, dict[str, Any]]:
    """``{device_id: refusal}`` for devices whose newest document within the timeout was refused."""
    since = now - store.inactivity_timeout
    rows = (
        ReceivedDocument.objects.filter(store=store, received_at__gte=since, received_at__lte=now)
        .exclude(device_key="")
        .values("device_key")
        .annotate(
            refused=Max("received_at", filter=Q(outcome=Outcome.REJECTED)),
            accepted=Max("received_at", filter=Q(outcome=Outcome.ACCEPTED, kind__in=DATA_KINDS)),
        )
        .order_by()
    )
    keys = [
        row["device_key"]
        for row in rows
        if row["refused"] and (not row["accepted"] or row["refused"] > row["accepted"])
    ]
    result = {}
    for key in keys:
        document = (
            ReceivedDocument.objects.filter(store=store, device_key=key, outcome=Outcome.REJECTED)
            .order_by("-received_at", "-pk")
            .only("pk", "error", "received_at")
            .first()
        )
        if document is not None:
            result[key] = {
                "reason": document.error,
                "document_id": document.pk,
                "received_at": document.received_at.isoformat(),
                "console_url": _console_url(document.pk),
            }
    return result


def _console_url(document_id: int) -> str:
    try:
        return reverse("admin:devices_receiveddocument_change", args=[document_id])
    except NoReverseMatch:
        return ""


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
