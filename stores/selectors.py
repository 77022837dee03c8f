"""Reads about stores: health of the store AI and its devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stores.models import Store, StoreHeartbeat


def store_ai_status(store: Store, now: datetime) -> dict[str, Any]:
    heartbeat = StoreHeartbeat.objects.filter(store=store).only("received_at").first()
    last = heartbeat.received_at if heartbeat else None
    online = last is not None and now - last <= store.inactivity_timeout
    return {"online": online, "last_heartbeat": last.isoformat() if last else None}


def store_health(store: Store, now: datetime) -> dict[str, Any]:
    from devices.selectors import device_health  # devices build on stores, not the reverse

    return {"store": store.pk, "store_ai": store_ai_status(store, now), "devices": device_health(store, now)}
