"""Writes of hourly analytics: upserts on the SPEC's keys, merge semantics, live events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from analytics import sender_clock
from analytics.models import CUSTOMER_FIELDS, FLOW_FIELDS, HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.events import publish_store_event
from stores.models import Cashier, Store, Zone
from stores.signals import SENDER, hourly_counts_changed, hourly_writes_batched


@dataclass(frozen=True)
class Upserted:
    record: models.Model
    created: bool


def upsert(model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> Upserted:
    """Insert the row for ``key`` or update only ``values`` on the existing one.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` round trip: the row lock is taken by the
    statement itself, so concurrent pushes for the same hour cannot interleave. Fields sent
    overwrite, absent ones keep their stored value. Must run inside a transaction.
    """
    return _upsert_returning(model, key, values)


def _upsert_returning(model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> Upserted:
    """The single-statement upsert: fields sent overwrite, absent ones keep their stored value.

    ``xmax = 0`` in ``RETURNING`` tells a freshly inserted row from an updated one. The key's
    columns must be exactly those of a unique constraint of ``model`` (they are: the SPEC's keys).
    """
    meta = model._meta
    row = {"updated_at": timezone.now(), **key, **values}
    fields = [meta.get_field(name) for name in row]
    columns = [field.column for field in fields]
    params = [field.get_db_prep_save(_pk_of(row[field.name]), connection) for field in fields]
    key_columns = [meta.get_field(name).column for name in key]
    quote = connection.ops.quote_name
    updates = [*(meta.get_field(name).column for name in values), meta.get_field("updated_at").column]
    selected = [field.column for field in meta.concrete_fields]
    # Identifiers come from the model's own metadata (quoted); every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(map(quote, key_columns))}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates)
        + f" RETURNING {', '.join(map(quote, selected))}, (xmax = 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        *stored, created = cursor.fetchone()
    converters = connection.ops.get_db_converters
    values_out = []
    for field, value in zip(meta.concrete_fields, stored, strict=True):
        for converter in converters(field.get_col(meta.db_table)):
            value = converter(value, field.get_col(meta.db_table), connection)
        values_out.append(value)
    record = model.from_db(connection.alias, [f.attname for f in meta.concrete_fields], values_out)
    for name, value in key.items():  # the caller's store/zone/cashier: no query when the reply reads them
        if isinstance(value, models.Model):
            setattr(record, name, value)
    return Upserted(record, bool(created))


def _pk_of(value: Any) -> Any:
    """Model instances in keys (store, zone, cashier) go in as their primary key."""
    return value.pk if isinstance(value, models.Model) else value


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
    """Apply validated records of one feed all-or-nothing and announce them after commit; sender
    counts are announced once per batch (``stores.signals``) so the rollups built on them follow."""
    write = FEEDS[feed]
    results = []
    counted: dict[int, list] = {}  # store id → hours whose counts a record sent
    stamped: dict[int, list] = {}  # store id → hours the push stamped (analytics.sender_clock)
    with hourly_writes_batched():
        for store, data in items:
            results.append(write(store, data))
            if data.get("timestamp") is not None:
                stamped.setdefault(store.pk, []).append(data["timestamp"])
            if feed == "customers" and any(name in data for name in FLOW_FIELDS):
                counted.setdefault(store.pk, []).append(data["timestamp"])
    # The rollups (business days), once per store of the batch (not once per record), in this
    # transaction; a demographics-only record changes no count and so no day.
    if counted:
        hourly_counts_changed.send(
            sender=HourlyCustomers, source=SENDER, hours={store: hours for store, hours in sorted(counted.items())}
        )
    for store_id in {result.record.store_id for result in results}:
        publish_store_event(store_id, "analytics", {"feed": feed})
    sender_clock.record_push(stamped, timezone.now())  # last: its row lock lasts only to the commit
    return results
