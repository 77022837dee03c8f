"""Writes: accept a process-request, move a session through its states."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from pantilt import conf
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


INTERRUPTED_MESSAGE = (
    "Interrupted: the process running this session stopped (no progress for {minutes} minutes); "
    "frames recorded so far, if any, are in the folder."
)


def fail_interrupted_sessions(now=None) -> list[int]:
    """Fail sessions that can no longer be running, so none hangs in moving/recording forever.

    A redelivered task refuses to start a session twice (``claim``), and the eager-mode thread
    dies with its web process: either way the row would keep its in-progress status. The bound
    is generous — the rig's move timeout, the longest allowed recording and a saving margin — and
    each row is failed with a conditional UPDATE, so a session that finishes meanwhile wins.
    """
    now = now or timezone.now()
    grace = conf.stale_grace_seconds()
    failed = []
    running = CaptureSession.objects.filter(
        status__in=[SessionStatus.MOVING, SessionStatus.RECORDING, SessionStatus.SAVING]
    ).select_related("rig")
    candidates = [
        (session, session.started_at)
        for session in running
        if session.started_at is None
        or now - session.started_at
        > timedelta(seconds=session.rig.move_timeout_seconds + conf.max_duration_seconds() + grace)
    ]
    queued_limit = now - timedelta(seconds=conf.stale_queued_seconds())
    candidates += [
        (s, s.created_at)
        for s in CaptureSession.objects.filter(status=SessionStatus.QUEUED, created_at__lt=queued_limit)
    ]
    for session, since in candidates:
        minutes = int((now - (since or session.created_at)).total_seconds() // 60)
        error = INTERRUPTED_MESSAGE.format(minutes=minutes)
        if CaptureSession.objects.filter(pk=session.pk, status=session.status).update(
            status=SessionStatus.FAILED, error=error, finished_at=now
        ):
            failed.append(session.pk)
            push_session_status(
                {"session_id": session.pk, "status": SessionStatus.FAILED, "error": error, "frames": session.frames}
            )
    if failed:
        log.warning("Failed %d interrupted capture sessions: %s", len(failed), failed)
    return failed
