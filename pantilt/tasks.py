"""Celery entry points: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pantilt.run_capture_session", acks_late=True)
def run_capture_session(session_id: int) -> None:
    """Run one capture session; a session already taken (or gone) is left alone."""
    from pantilt.session import run_session

    run_session(session_id)
