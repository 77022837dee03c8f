"""The shared shape of every sender endpoint: one object or a batch, validated, then applied.

A batch is validated completely before anything is written and applied in one transaction,
so a single bad record rejects the whole request with every error listed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from stores.api.errors import flatten_errors
from stores.api.permissions import CanSendData
from stores.events import send_store_event_now, store_group
from stores.models import Store
from stores.services import StoreResolutionError, resolve_store_for_writer

log = logging.getLogger(__name__)

MAX_BATCH = 1000


def records_of(request: Request) -> tuple[list[Any], bool]:
    """The request's records and whether it was a batch (a JSON array)."""
    data = request.data
    if isinstance(data, list):
        if not data:
            raise ValidationError({"non_field_errors": ["An empty batch has nothing to store."]})
        if len(data) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"A batch may hold at most {MAX_BATCH} records."]})
        return data, True
    if isinstance(data, dict):
        return [data], False
    raise ValidationError({"non_field_errors": ["Expected a JSON object or an array of objects."]})


def validate_records(records: list[Any], serializer_class: type[serializers.Serializer], batch: bool) -> list[dict]:
    validated, errors = [], {}
    for index, record in enumerate(records):
        serializer = serializer_class(data=record)
        if serializer.is_valid():
            validated.append(serializer.validated_data)
        else:
            flat = flatten_errors(serializer.errors)
            errors.update({f"{index}.{k}" if batch else k: v for k, v in flat.items()})
    if errors:
        raise ValidationError(errors)
    return validated


def resolve_stores(user, records: list[dict], batch: bool) -> list[tuple[Store, dict]]:
    """Pair each record with its store; a store of another tenant is 404 and reveals nothing."""
    by_code: dict[str | None, Store] = {}
    pairs = []
    for index, record in enumerate(records):
        code = record.get("store")
        if code not in by_code:
            try:
                by_code[code] = resolve_store_for_writer(user, code)
            except StoreResolutionError as exc:
                if exc.status == status.HTTP_404_NOT_FOUND:
                    raise NotFound(exc.message) from None
                raise ValidationError({f"{index}.{exc.field}" if batch else exc.field: [exc.message]}) from None
        pairs.append((by_code[code], record))
    return pairs


SENDER_PERMISSIONS = [IsAuthenticated, CanSendData]


# --- live nudges without blocking the request ----------------------------------------------------


class LivePublisher:
    """Sends the ingest endpoints' live events from one event loop per process, in a daemon thread.

    ``stores.events.send_store_event_now`` runs ``async_to_sync(group_send)``: a new event loop
    and a new Redis connection for every request, which measured ~5 ms of a camera push here.
    With a Redis channel layer this publisher keeps one loop (and so one pooled connection) per
    worker process and does not wait for the send: the live event is a best-effort nudge by
    design. At most ``max_pending`` sends queue up while Redis is slow or down; more are dropped
    and logged. Process-local layers (the in-memory one of development and tests) are sent to
    synchronously as before, since they cannot be shared across event loops.
    """

    def __init__(self, max_pending: int = 1000, timeout: float = 5.0) -> None:
        self.max_pending = max_pending
        self.timeout = timeout
        self.pending = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # a forked worker starts its own
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="live-publisher", daemon=True).start()
                self._loop, self._pid, self.pending = loop, os.getpid(), 0
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
            await asyncio.wait_for(layer.group_send(group, message), self.timeout)
        except Exception:  # noqa: BLE001 - the live channel is best effort by design
            log.warning("Could not publish %s event to %s", message["kind"], group, exc_info=True)
        finally:
            with self._lock:
                self.pending -= 1


live_publisher = LivePublisher()


def publish_after_commit(store_id: int, kind: str, payload: dict[str, Any]) -> None:
    """``stores.events.publish_store_event`` for the hot ingest paths: same event, no waiting."""
    transaction.on_commit(lambda: live_publisher.send(store_id, kind, payload))
