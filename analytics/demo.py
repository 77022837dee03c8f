"""Realistic demo data for sender analytics: a store's day shaped like real retail traffic."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from analytics import storedays
from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import Cashier, Store, Zone

ZONES = ("erkek-giyim", "kadin-giyim", "aksesuar", "kasa-alani", "vitrin")
CASHIERS = ("Kasa-1", "Kasa-2", "Kasa-3")
OPEN_HOUR, CLOSE_HOUR = 10, 22


def traffic_curve(local_hour: int) -> float:
    """Relative footfall: a lunch bump and an evening peak, as malls see it."""
    if not OPEN_HOUR <= local_hour < CLOSE_HOUR:
        return 0.0
    lunch = math.exp(-((local_hour - 13) ** 2) / 3)
    evening = 1.4 * math.exp(-((local_hour - 18.5) ** 2) / 4)
    return 0.25 + lunch + evening


@transaction.atomic
def load_day(store: Store, day: date, rng: random.Random, scale: float = 60.0) -> int:
    """Write one local day of customers, heatmaps and queues; returns the hours written."""
    tz = ZoneInfo(store.timezone)
    zones = {name: Zone.objects.get_or_create(store=store, name=name)[0] for name in ZONES}
    cashiers = {name: Cashier.objects.get_or_create(store=store, name=name)[0] for name in CASHIERS}
    with storedays.deferred():  # one rollup refresh for the day's hours, below, not one per row
        hours = _write_day(store, day, tz, zones, cashiers, datetime.now(UTC), rng, scale)
    storedays.refresh(store.pk, storedays.SENDER, hours)
    return len(hours)


def _write_day(
    store: Store,
    day: date,
    tz: ZoneInfo,
    zones: dict[str, Zone],
    cashiers: dict[str, Cashier],
    now: datetime,
    rng: random.Random,
    scale: float,
) -> list[datetime]:
    inside = 0
    written = []
    for local_hour in range(OPEN_HOUR, CLOSE_HOUR):
        hour = datetime.combine(day, time(local_hour), tzinfo=tz).astimezone(UTC)
        if hour > now:
            break
        entered = max(1, int(rng.gauss(scale * traffic_curve(local_hour), 4)))
        exited = (
            min(inside + entered, max(0, int(entered * rng.uniform(0.75, 1.05))))
            if local_hour < CLOSE_HOUR - 1
            else inside + entered
        )
        inside = max(0, inside + entered - exited)
        male = int(entered * rng.uniform(0.35, 0.55))
        young = int(entered * rng.uniform(0.3, 0.45))
        middle = int(entered * rng.uniform(0.3, 0.4))
        HourlyCustomers.objects.update_or_create(
            store=store,
            camera_id="kapi-1",
            hour=hour,
            defaults={
                "entered": entered,
                "exited": exited,
                "customers_inside": inside,
                "male_count": male,
                "female_count": entered - male,
                "age_18_30": young,
                "age_30_50": middle,
                "age_50_plus": max(0, entered - young - middle),
            },
        )
        for name, zone in zones.items():
            share = {"kadin-giyim": 0.5, "erkek-giyim": 0.35, "aksesuar": 0.25, "kasa-alani": 0.4, "vitrin": 0.15}[name]
            HourlyZoneHeatmap.objects.update_or_create(
                store=store,
                zone=zone,
                camera_id="",
                hour=hour,
                defaults={
                    "visitor_count": int(entered * share * rng.uniform(0.8, 1.2)),
                    "intensity": round(rng.uniform(20, 90) * share * 2, 1),
                },
            )
        for cashier in cashiers.values():
            served = int(entered * 0.6 / len(cashiers) * rng.uniform(0.7, 1.3))
            HourlyQueue.objects.update_or_create(
                store=store,
                cashier=cashier,
                hour=hour,
                defaults={"total_customers": served, "wait_time": round(15 + served * rng.uniform(1.5, 3.0), 1)},
            )
        written.append(hour)
    return written


def load(store: Store, days: int = 7, seed: int = 42) -> int:
    """Load ``days`` local days ending today (today up to the current hour).

    The store also opens at ``OPEN_HOUR`` (occupancy resets there) and its AI sends one
    heartbeat, so a fresh demo shows the "Mağaza AI" indicator green until it goes quiet.
    """
    from stores.services import record_heartbeat

    if store.opening_hour != OPEN_HOUR:
        store.opening_hour = OPEN_HOUR
        store.save(update_fields=["opening_hour"])
    rng = random.Random(f"{seed}-{store.pk}")  # noqa: S311 - demo data, reproducible on purpose
    today = datetime.now(ZoneInfo(store.timezone)).date()
    written = sum(load_day(store, today - timedelta(days=offset), rng) for offset in range(days - 1, -1, -1))
    record_heartbeat(store, payload={"source": "demo"}, remote_addr=None)
    return written
