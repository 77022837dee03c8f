"""Writes of till data: the upsert on (store, hour, till), applied all-or-nothing like every feed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from analytics.services import Upserted, upsert
from sales.models import HourlySales
from stores.events import publish_store_event
from stores.models import Store
from stores.signals import hourly_counts_changed, hourly_writes_batched

TILLS = "tills"  # the source named in hourly_counts_changed (sales.signals keeps ConversionDay)


def currency_errors(pairs: list[tuple[Store, dict[str, Any]]], batch: bool) -> dict[str, list[str]]:
    """Revenue is stored in the store's currency; a record naming another one is refused (no
    conversion: a rate chosen here would silently falsify every figure built on it)."""
    errors = {}
    for index, (store, data) in enumerate(pairs):
        sent = data.get("currency")
        if sent is not None and sent != store.currency:
            key = f"{index}.currency" if batch else "currency"
            errors[key] = [f"This store keeps revenue in {store.currency}; got {sent}."]
    return errors


def upsert_sales(store: Store, data: dict[str, Any]) -> Upserted:
    """Transactions and revenue overwrite; ``items`` absent keeps what an earlier push stored."""
    values = {"transactions": data["transactions"], "revenue": data["revenue"], "currency": store.currency}
    if "items" in data:
        values["items"] = data["items"]
    key = {"store": store, "hour": data["timestamp"], "till": data.get("till", "")}
    return upsert(HourlySales, key, values)


@transaction.atomic
def apply_sales(items: Iterable[tuple[Store, dict[str, Any]]]) -> list[Upserted]:
    """Apply validated till records all-or-nothing and announce their hours (``stores.signals``:
    the brand comparison's day rollup follows in this transaction); the store pages refresh
    after commit."""
    with hourly_writes_batched():  # announced once below, not once per row (sales.signals)
        results = [upsert_sales(store, data) for store, data in items]
    hours: dict[int, list] = {}
    for result in results:
        hours.setdefault(result.record.store_id, []).append(result.record.hour)
    # The rollups built on tills (the brand comparison's days) follow in this transaction;
    # stores in id order, so two batches naming the same stores take the per-day locks in one order.
    if hours:
        hourly_counts_changed.send(sender=HourlySales, source=TILLS, hours=dict(sorted(hours.items())))
    for store_id in hours:
        publish_store_event(store_id, "analytics", {"feed": "sales"})
    return results
