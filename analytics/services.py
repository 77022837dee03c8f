"""Writes of hourly analytics: upserts on the SPEC's keys, merge semantics, live events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction

from analytics.models import CUSTOMER_FIELDS, HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.events import publish_store_event
from stores.models import Cashier, Store, Zone


@dataclass(frozen=True)
class Upserted:
    record: models.Model
    created: bool


def upsert(model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> Upserted:
    """Insert the row for ``key`` or update only ``values`` on the existing one.

    Locks the existing row so two concurrent pushes for the same hour cannot interleave;
    a concurrent insert of the same key falls back to the update path instead of failing.
    Must run inside a transaction.
    """
    existing = model.objects.select_for_update().filter(**key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Upserted(model.objects.create(**key, **values), True)
        except IntegrityError:
            existing = model.objects.select_for_update().get(**key)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=[*values, "updated_at"])
    return Upserted(existing, False)


def upsert_customers(store: Store, data: dict[str, Any]) -> Upserted:
    """Fields sent overwrite, fields absent keep what earlier payloads stored."""
    values = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
    key = {"store": store, "camera_id": data.get("camera_id", ""), "hour": data["timestamp"]}
    return upsert(HourlyCustomers, key, values)


def upsert_heatmap(store: Store, data: dict[str, Any]) -> Upserted:
    zone, _ = Zone.objects.get_or_create(store=store, name=data["zone"])
    key = {"store": store, "zone": zone, "camera_id": data.get("camera_id", ""), "hour": data["timestamp"]}
    return upsert(HourlyZoneHeatmap, key, {"visitor_count": data["visitor_count"], "intensity": data["intensity"]})


def upsert_queue(store: Store, data: dict[str, Any]) -> Upserted:
    cashier, _ = Cashier.objects.get_or_create(store=store, name=data["cashier_id"])
    key = {"store": store, "cashier": cashier, "hour": data["timestamp"]}
    return upsert(HourlyQueue, key, {"total_customers": data["total_customers"], "wait_time": data["wait_time"]})


FEEDS = {"customers": upsert_customers, "heatmaps": upsert_heatmap, "queues": upsert_queue}


@transaction.atomic
def apply_feed(feed: str, items: Iterable[tuple[Store, dict[str, Any]]]) -> list[Upserted]:
    """Apply validated records of one feed all-or-nothing and announce them after commit."""
    write = FEEDS[feed]
    results = [write(store, data) for store, data in items]
    for store_id in {result.record.store_id for result in results}:
        publish_store_event(store_id, "analytics", {"feed": feed})
    return results
