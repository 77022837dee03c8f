"""Live dashboard channel: one WebSocket per open store page, joined to ``store.<id>`` only.

Access is checked on connect (``Store.objects.visible_to``: another tenant's store or no login
is refused before the handshake completes) and again at most once a minute while events flow,
so a revoked membership stops receiving data without waiting for a reconnect.
"""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from stores.events import store_group
from stores.models import Store

RECHECK_SECONDS = 60
REFUSED = 4403


@database_sync_to_async
def may_see(user, store_id: int) -> bool:
    return Store.objects.visible_to(user).filter(pk=store_id).exists()


class StoreConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    checked_at = 0.0

    async def connect(self) -> None:
        self.store_id = int(self.scope["url_route"]["kwargs"]["store_id"])
        if not await may_see(self.scope.get("user"), self.store_id):
            await self.close(code=REFUSED)  # before accept: the handshake is rejected (HTTP 403)
            return
        self.group = store_group(self.store_id)
        self.checked_at = time.monotonic()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive_json(self, content: Any, **kwargs) -> None:
        """The page only listens; anything it sends is ignored."""

    async def store_event(self, event: dict[str, Any]) -> None:
        if time.monotonic() - self.checked_at > RECHECK_SECONDS:
            if not await may_see(self.scope.get("user"), self.store_id):
                await self.close(code=REFUSED)
                return
            self.checked_at = time.monotonic()
        await self.send_json({"kind": event.get("kind"), "payload": event.get("payload", {})})
