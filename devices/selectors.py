"""Reads about people-counting devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stores.models import Store


def device_health(store: Store, now: datetime) -> list[dict[str, Any]]:
    """``[{device_id, online, last_seen, ...}]`` for the store's devices (none registered yet)."""
    return []
