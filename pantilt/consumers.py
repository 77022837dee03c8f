"""WebSocket ``/ws/pantilt/sessions/<id>/``: pushes a session's status as it changes.

Access is checked on connect (the session must be visible to the user); the consumer then
joins that session's own group, so it can never receive another session's events.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from pantilt.events import session_group
from pantilt.models import CaptureSession
from pantilt.selectors import session_as_dict


class SessionStatusConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        snapshot = await self._snapshot(user, session_id)
        if snapshot is None:
            await self.close(code=4404)
            return
        self.group = session_group(session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "status", **snapshot})

    async def disconnect(self, code) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def session_status(self, event) -> None:
        await self.send_json({"type": "status", **{k: v for k, v in event.items() if k != "type"}})

    @database_sync_to_async
    def _snapshot(self, user, session_id: int):
        if user is None or not user.is_authenticated:
            return None
        session = CaptureSession.objects.visible_to(user).select_related("rig").filter(pk=session_id).first()
        return session_as_dict(session) if session else None
