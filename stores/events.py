"""Live events to a store's WebSocket group (``store.<id>``), sent only after commit.

Groups are per store so a consumer never even receives another tenant's data; the dashboard
consumer checks the user's access before joining one. A broken channel layer must never fail
an ingest: the data is committed, only the live nudge is lost, and that is logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
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


class LivePublisher:
    """Sends the ingest endpoints' live events from one event loop per process, in a daemon thread.

    ``send_store_event_now`` runs ``async_to_sync(group_send)``: a new event loop
    and a new Redis connection for every request, which measured ~5 ms of a camera push here.
    With a Redis channel layer this publisher keeps one loop (and so one pooled connection) per
    worker process and does not wait for the send: the live event is a best-effort nudge by
    design. At most ``max_pending`` sends queue up while Redis is slow or down; more are dropped
    and logged. Process-local layers (the in-memory one of development and tests) are sent to
    synchronously as before, since they cannot be shared across event loops.
    """

    def __init__(self, max_pending: int = 1000, timeout: float = 5.0, concurrency: int = 8) -> None:
        self.max_pending = max_pending
        self.timeout = timeout
        self.concurrency = concurrency
        self.pending = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pid: int | None = None

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # a forked worker starts its own
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="live-publisher", daemon=True).start()
                self._loop, self._pid, self.pending = loop, os.getpid(), 0
                # Sends in flight at once: the channel layer's Redis pool is bounded, and an
                # applier's batch publishes hundreds of events in one go ("Too many connections").
                self._slots = asyncio.Semaphore(self.concurrency)
            return self._loop

    def send(self, store_id: int, kind: str, payload: dict[str, Any]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        if not type(layer).__module__.startswith("channels_redis"):
            send_store_event_now(store_id, kind, payload)
            return
        loop = self._event_loop()
        with self._lock:
            if self.pending >= self.max_pending:
                log.warning("Live event %s for store %s dropped: %d sends pending", kind, store_id, self.pending)
                return
            self.pending += 1
        message = {"type": "store.event", "kind": kind, "payload": payload}
        asyncio.run_coroutine_threadsafe(self._send(layer, store_group(store_id), message), loop)

    async def _send(self, layer, group: str, message: dict[str, Any]) -> None:
        try:
            async with self._slots:
                await asyncio.wait_for(layer.group_send(group, message), self.timeout)
        except Exception:  # noqa: BLE001 - the live channel is best effort by design
            log.warning("Could not publish %s event to %s", message["kind"], group, exc_info=True)
        finally:
            with self._lock:
                self.pending -= 1


live_publisher = LivePublisher()


def publish_store_event(store_id: int, kind: str, payload: dict[str, Any]) -> None:
    """Send a live event once the surrounding transaction commits, without waiting for it."""
    transaction.on_commit(lambda: live_publisher.send(store_id, kind, payload))
