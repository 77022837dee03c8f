"""The ASGI live server of the browser tests (HTTP and WebSockets), one per test session.

Django's ``live_server`` speaks WSGI only, so Daphne runs in a thread of the test process: it
shares the test database and the channel layer (in-memory, or Redis when ``REDIS_URL`` is set).
Twisted's reactor can run once per process, hence one server per session, defined once here and
exposed to every test folder by ``tests/conftest.py`` (a second definition in a sub-folder's
conftest would be a second fixture, and a second server that cannot start).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of Daphne serving the project's ASGI application."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server  # installs Twisted's asyncio reactor (not run in this thread)
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections
    from twisted.internet import reactor

    from vislivis.asgi import application

    # Server threads must not keep connections open: PostgreSQL cannot drop a test database
    # that a finished request thread still holds.
    connections["default"].settings_dict["CONN_MAX_AGE"] = 0
    port = free_port()
    server = Server(
        ASGIStaticFilesHandler(application),
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=port),
        signal_handlers=False,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("Daphne did not start") from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(timeout=10)
    # asgiref's worker threads may still hold a connection each (a WebSocket consumer's last
    # one); they cannot be closed from here, and PostgreSQL refuses to drop a database in use.
    # End those sessions of our own test database only, so pytest-django can drop it.
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
