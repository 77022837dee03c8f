"""Reads about stores: health of the store AI, and the store health the feature apps contribute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stores import health
from stores.models import Store, StoreHeartbeat


def store_ai_status(store: Store, now: datetime) -> dict[str, Any]:
    heartbeat = StoreHeartbeat.objects.filter(store=store).only("received_at").first()
    last = heartbeat.received_at if heartbeat else None
    online = last is not None and now - last <= store.inactivity_timeout
    return {"online": online, "last_heartbeat": last.isoformat() if last else None}


def store_health(store: Store, now: datetime) -> dict[str, Any]:
    """``{"store", "store_ai", <each registered section>}``: the feature apps contribute their
    part through ``stores.health`` (``devices``, ``sender_clock``), so stores imports none of them."""
    body: dict[str, Any] = {"store": store.pk, "store_ai": store_ai_status(store, now)}
    for name, read in health.sections().items():
        body[name] = read(store, now)
    return body
