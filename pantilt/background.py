"""Eager mode (the embedded default and tests) runs a session in a thread after commit.

With ``CELERY_TASK_ALWAYS_EAGER`` a Celery ``delay()`` would run the whole multi-second
session inside the HTTP request. A daemon thread keeps the request at 202; the production
profile uses a real worker instead. A thread dies with its process: a session it was running
stays ``moving``/``recording`` and is visible as such (no silent loss of a request).
"""

from __future__ import annotations

import threading

from django.db import close_old_connections, connections

_threads: list[threading.Thread] = []


def _run(session_id: int) -> None:
    from pantilt.session import run_session

    close_old_connections()
    try:
        run_session(session_id)
    finally:
        connections.close_all()


def run_in_thread(session_id: int) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(session_id,), name=f"pantilt-session-{session_id}", daemon=True)
    thread.start()
    _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    return thread


def join_all(timeout: float = 60.0) -> None:
    """Wait for the session threads of this process (tests, graceful shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)
