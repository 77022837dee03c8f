"""Live events to a store's WebSocket group (``store.<id>``), sent only after commit.

Groups are per store so a consumer never even receives another tenant's data; the dashboard
consumer checks the user's access before joining one. A broken channel layer must never fail
an ingest: the data is committed, only the live nudge is lost, and that is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def store_group(store_id: int) -> str:
    return f"store.{store_id}"


def send_store_event_now(store_id: int, kind: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            store_group(store_id), {"type": "store.event", "kind": kind, "payload": payload}
        )
    except Exception:  # noqa: BLE001 - the live channel is best effort by design
        log.warning("Could not publish %s event for store %s", kind, store_id, exc_info=True)


def publish_store_event(store_id: int, kind: str, payload: dict[str, Any]) -> None:
    """Queue a live event for when the surrounding transaction commits."""
    transaction.on_commit(lambda: send_store_event_now(store_id, kind, payload))
