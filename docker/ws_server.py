"""daphne for the ``ws`` role, with its access log as JSON lines (docker/entrypoint.sh ws).

daphne's command line writes its access log as NCSA text to stdout; it builds that logger from
the name ``daphne.cli.AccessLogGenerator``. This points the name at
``vislivis.logging.WebSocketAccessLog`` (same call interface), which writes each WebSocket
connect, reject and disconnect as one record through the production logging, then runs daphne's
own command line unchanged. HTTP requests on this server get the application's access line.
"""

import logging.config
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, as daphne's "."

import daphne.cli  # noqa: E402

from vislivis.logging import WebSocketAccessLog  # noqa: E402


def json_logging_until_django() -> None:
    """JSON on the root logger before daphne's ``basicConfig`` (which then does nothing), so the
    lines written while the application loads are JSON too; Django's LOGGING replaces it."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "vislivis.logging.JsonFormatter"}},
            "filters": {"request_id": {"()": "vislivis.logging.RequestIdFilter"}},
            "handlers": {
                "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
            },
            "root": {"level": os.environ.get("LOG_LEVEL") or "INFO", "handlers": ["console"]},
        }
    )


if __name__ == "__main__":
    json_logging_until_django()
    daphne.cli.AccessLogGenerator = WebSocketAccessLog
    sys.exit(daphne.cli.CommandLineInterface.entrypoint())
