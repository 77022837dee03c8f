"""Reads: a session as the API and the WebSocket show it."""

from __future__ import annotations

from typing import Any

from pantilt.models import CaptureSession


def session_as_dict(session: CaptureSession) -> dict[str, Any]:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "session_id": session.pk,
        "device_id": session.rig.device_id,
        "status": session.status,
        "error": session.error,
        "folder": session.folder,
        "frames": session.frames,
        "created_at": iso(session.created_at),
        "started_at": iso(session.started_at),
        "finished_at": iso(session.finished_at),
        "request": session.request,
    }
