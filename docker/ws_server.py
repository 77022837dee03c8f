"""daphne for the ``ws`` role, with its access log as JSON lines (docker/entrypoint.sh ws).

daphne's command line writes its access log as NCSA text to stdout; it builds that logger from
the name ``daphne.cli.AccessLogGenerator``. This points the name at
``vislivis.logging.WebSocketAccessLog`` (same call interface), which writes each WebSocket
connect, reject and disconnect as one record through the production logging, then runs daphne's
own command line unchanged. HTTP requests on this server get the application's access line.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, as daphne's "."

import daphne.cli  # noqa: E402

from vislivis.logging import WebSocketAccessLog  # noqa: E402

if __name__ == "__main__":
    daphne.cli.AccessLogGenerator = WebSocketAccessLog
    sys.exit(daphne.cli.CommandLineInterface.entrypoint())
