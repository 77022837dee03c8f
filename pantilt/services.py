"""Writes: accept a process-request, move a session through its states."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from pantilt.events import push_session_status
from pantilt.models import CaptureSession, Rig, SessionStatus
from pantilt.validation import build_plan

log = logging.getLogger(__name__)


def submit_capture(user, body: Any) -> CaptureSession:
    """Validate ``body`` against the user's rigs and queue a session (PlanError when invalid)."""
    plan = build_plan(body, Rig.objects.visible_to(user))
    with transaction.atomic():
        session = CaptureSession.objects.create(
            tenant_id=plan.rig.tenant_id, rig=plan.rig, requested_by=user, request=body
        )
        transaction.on_commit(lambda: enqueue_session(session.pk))
    return session


def enqueue_session(session_id: int) -> None:
    """Hand the session to Celery; in eager mode run it in a thread so the request returns."""
    from django.conf import settings

    from pantilt.tasks import run_capture_session

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        from pantilt.background import run_in_thread

        run_in_thread(session_id)
    else:
        run_capture_session.delay(session_id)


def set_status(session: CaptureSession, status: str, **fields: Any) -> None:
    """Persist a status change and tell the browser."""
    session.status = status
    for name, value in fields.items():
        setattr(session, name, value)
    if status in (SessionStatus.DONE, SessionStatus.FAILED):
        session.finished_at = timezone.now()
    CaptureSession.objects.filter(pk=session.pk).update(status=status, finished_at=session.finished_at, **fields)
    push_session_status({"session_id": session.pk, "status": status, "error": session.error, "frames": session.frames})


def claim(session_id: int) -> CaptureSession | None:
    """Take a queued session exactly once (a conditional UPDATE), so a rerun does nothing."""
    taken = CaptureSession.objects.filter(pk=session_id, status=SessionStatus.QUEUED).update(
        status=SessionStatus.MOVING, started_at=timezone.now()
    )
    if not taken:
        return None
    session = CaptureSession.objects.select_related("rig", "tenant").get(pk=session_id)
    push_session_status({"session_id": session.pk, "status": session.status, "error": "", "frames": {}})
    return session
