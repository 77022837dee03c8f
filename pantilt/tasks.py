"""Celery entry points: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pantilt.run_capture_session", acks_late=True)
def run_capture_session(session_id: int) -> None:
    """Run one capture session; a session already taken (or gone) is left alone."""
    from pantilt.session import run_session

    run_session(session_id)


@shared_task(name="pantilt.fail_interrupted_sessions", acks_late=True, time_limit=120, soft_time_limit=100)
def fail_interrupted_sessions() -> list[int]:
    """Beat job: sessions whose process died are failed with a clear error (safe to run twice)."""
    from pantilt.services import fail_interrupted_sessions as sweep

    return sweep()
