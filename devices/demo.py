"""Demo data for ``make run``: two counting cameras with minute counts over opening hours.

Minute rows are bulk-inserted and the hourly rollup is filled from them, as the ingest service
would have left it. Running it again replaces the same span (idempotent).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from analytics.demo import CLOSE_HOUR, OPEN_HOUR, traffic_curve
from devices.models import Device, HourlyFootfall, MinuteCount
from devices.services import MEASURES, hour_of
from stores.models import Store
from stores.signals import hourly_counts_replaced

# (DeviceId, name, children mode, share of the store's footfall)
DEMO_DEVICES = (("CAM-ENTRANCE-1", "Main entrance", True, 0.65), ("CAM-ENTRANCE-2", "Mall side entrance", False, 0.35))
HOURLY_SCALE = 60.0


def _device(store: Store, device_id: str, name: str, now: datetime) -> Device:
    device, _ = Device.objects.update_or_create(
        store=store,
        device_id=device_id,
        defaults={
            "name": name,
            "last_seen": now,
            "last_data_at": now,  # a demo camera delivers counts: online (devices.health)
            "last_document_kind": "Metrics",
            "connection_type": "Wired",
            "sw_release": "4.3.0",
            "hw_platform": "V2.1",
            "interface_version": "1",
            "properties_transmit_time": now,
        },
        create_defaults={
            "name": name,
            "first_seen": now,
            "last_seen": now,
            "last_data_at": now,
            "last_document_kind": "Metrics",
        },
    )
    return device


@transaction.atomic
def load(store: Store, days: int = 7, seed: int = 7) -> int:
    """Minute counts for ``days`` local days up to now for two cameras; returns the minute rows written."""
    rng = random.Random(f"{seed}-devices-{store.pk}")  # noqa: S311 - demo data, reproducible on purpose
    tz = ZoneInfo(store.timezone)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=tz).astimezone(UTC)
    written = 0
    for device_id, name, children_mode, share in DEMO_DEVICES:
        device = _device(store, device_id, name, now)
        MinuteCount.objects.filter(device=device, period_start__gte=start).delete()
        HourlyFootfall.objects.filter(device=device, hour__gte=hour_of(start)).delete()
        minutes: list[MinuteCount] = []
        hourly: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            for local_hour in range(OPEN_HOUR, CLOSE_HOUR):
                per_minute = HOURLY_SCALE * share * traffic_curve(local_hour) / 60
                hour_start = datetime.combine(day, time(local_hour), tzinfo=tz).astimezone(UTC)
                for minute in range(60):
                    period = hour_start + timedelta(minutes=minute)
                    if period >= now:
                        break
                    enters = _poisson(rng, per_minute)
                    exits = _poisson(rng, per_minute * 0.95)
                    values = {"enters": enters, "exits": exits, "passings": _poisson(rng, per_minute * 2), "returns": 0}
                    children = {"enters": _share(rng, enters, 0.15), "exits": _share(rng, exits, 0.15)}
                    rows = {0: values}
                    if children_mode:
                        adults = {k: values[k] - children.get(k, 0) for k in MEASURES}
                        rows |= {1: adults, 2: {k: children.get(k, 0) for k in MEASURES}}
                    for object_type, counts in rows.items():
                        minutes.append(
                            MinuteCount(
                                device=device,
                                object_type=object_type,
                                period_start=period,
                                interval=1,
                                status=0,
                                transmit_time=period + timedelta(minutes=1),
                                received_at=period + timedelta(minutes=1),
                                **counts,
                            )
                        )
                        total = hourly[(object_type, hour_of(period))]
                        for index, measure in enumerate(MEASURES):
                            total[index] += counts[measure]
        MinuteCount.objects.bulk_create(minutes, batch_size=2000)
        HourlyFootfall.objects.bulk_create(
            [
                HourlyFootfall(store=store, device=device, object_type=t, hour=h, **dict(zip(MEASURES, v, strict=True)))
                for (t, h), v in hourly.items()
            ],
            batch_size=2000,
        )
        written += len(minutes)
    # Bulk writes send no per-hour news: the rollups built on these rows rebuild the store.
    hourly_counts_replaced.send(sender=Device, store_ids=[store.pk])
    return written


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth) — people arrive independently, minute by minute."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _share(rng: random.Random, total: int, ratio: float) -> int:
    return sum(1 for _ in range(total) if rng.random() < ratio)
