"""stores.events.LivePublisher: ingest's live events reach the store's group, without blocking.

With the in-memory layer (development, tests) the event is sent at once, as before. With a
Redis layer it goes through the publisher's own event loop, on the machine's Redis
(``tests.services.redis_url``: skipped on a laptop without one, a failure when
``VISLIVIS_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from stores.events import LivePublisher, publish_store_event, store_group
from tests.services import redis_url


@pytest.fixture
def redis_layer(settings):
    """A Redis channel layer of this test's own (a fresh prefix) on the machine's Redis."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url()], "prefix": f"test-live-{uuid.uuid4().hex[:8]}"},
        }
    }
    return get_channel_layer()


def _join_and_wait(layer, group: str, send, timeout: float = 5.0) -> dict:
    """Join ``group`` with a fresh channel, run ``send()``, return the first message (or time out)."""
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    send()

    async def receive() -> dict:
        return await asyncio.wait_for(layer.receive(channel), timeout)

    return async_to_sync(receive)()


@pytest.mark.django_db(transaction=True)
def test_event_reaches_the_group_after_commit_with_the_in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    message = _join_and_wait(layer, store_group(7), lambda: publish_store_event(7, "device", {"records": 3}))
    assert message == {"type": "store.event", "kind": "device", "payload": {"records": 3}}


def test_event_reaches_the_group_through_the_publisher_loop_with_redis(redis_layer):
    layer = redis_layer
    publisher = LivePublisher()
    message = _join_and_wait(layer, store_group(8), lambda: publisher.send(8, "analytics", {"feed": "customers"}))
    assert message["kind"] == "analytics" and message["payload"] == {"feed": "customers"}
    deadline = time.monotonic() + 5
    while publisher.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert publisher.pending == 0


def test_sends_beyond_the_pending_limit_are_dropped_not_queued(settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    publisher = LivePublisher(max_pending=0)
    publisher.send(9, "device", {})  # nothing connects: the send is refused before any network I/O
    assert publisher.pending == 0
    assert "dropped" in caplog.text


def test_a_burst_of_events_is_sent_without_exhausting_the_redis_pool(redis_layer, caplog):
    """An applier's batch publishes one event per device at once: hundreds, in one go."""
    layer = redis_layer
    publisher = LivePublisher()
    last = 10_000 + 799
    message = _join_and_wait(
        layer, store_group(last), lambda: [publisher.send(10_000 + n, "device", {"n": n}) for n in range(800)]
    )
    assert message["payload"] == {"n": 799}
    deadline = time.monotonic() + 20
    while publisher.pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert publisher.pending == 0
    assert "Could not publish" not in caplog.text and "dropped" not in caplog.text
