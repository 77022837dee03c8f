"""gunicorn settings the command line cannot say: its own log lines as JSON (docker/entrypoint.sh web).

gunicorn configures its loggers (``gunicorn.error``) before the Django application loads, in
its own plain format; this gives them the production JSON formatter and request-id filter of
``vislivis.logging``. Web's access line is the application's (logger ``vislivis.request``:
request id, status, duration, client address), so gunicorn's own access logger (switched on by
any ``logconfig_dict``) is silenced instead of writing every request twice.
"""

import os

_level = os.environ.get("LOG_LEVEL") or "INFO"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "vislivis.logging.JsonFormatter"}},
    "filters": {"request_id": {"()": "vislivis.logging.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": _level, "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}


def worker_exit(server, worker) -> None:
    """A worker that is stopping cleanly skips the interpreter's teardown.

    Measured in the container: an idle, loaded sync worker logged "Worker exiting" and then took
    ~9 s to die in Python's finalization (native libraries' destructors), so `docker compose stop`
    (10 s) SIGKILLed web. Nothing is left to save at this point: the request loop has ended and
    logs are flushed here. A worker exiting with an error keeps its exit code (normal path).
    """
    import logging
    import os
    import sys

    exc = sys.exc_info()[1]  # the SystemExit the worker is leaving with (gunicorn calls this in a finally)
    if isinstance(exc, SystemExit) and exc.code in (0, None):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def when_ready(server) -> None:
    """With ``--preload`` the master has loaded Django: it must hold no database connection that
    its forked workers would share (nothing opens one at start-up; this keeps it so)."""
    if server.cfg.preload_app:
        from django.db import connections

        connections.close_all()
