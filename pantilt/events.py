"""Session status pushed to browsers over Channels, one group per session.

A group per session (not per tenant) means a consumer only ever receives the session it was
allowed to join. Best effort: a broken channel layer never fails a capture.
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


class SessionStatusEvent(TypedDict):
    session_id: int
    status: str
    error: str
    frames: dict[str, Any]


def session_group(session_id: int) -> str:
    return f"pantilt.session.{session_id}"


def push_session_status(event: SessionStatusEvent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(session_group(event["session_id"]), {"type": "session.status", **event})
    except Exception:  # noqa: BLE001 - the live channel is best effort by design
        log.warning("Could not push status of session %s", event["session_id"], exc_info=True)
