"""The database server drops a worker's persistent connection (a restart, an idle-session kill,
a failover): the next push on it is the usual 503 with ``Retry-After``, never a 500, and the
push after that connects anew and is kept.

Real, not a mock: the connection's backend is ended with ``pg_terminate_backend`` from another
session, as a server restart ends it, and the requests go through the WSGI application as
gunicorn calls it (the test client unhooks ``close_old_connections``, which is what recovers).
The push writes through psycopg directly (``vislivis.database``), so this pins that the
driver's errors reach the handler as Django's and mark the connection for closing.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from devices.models import ReceivedDocument
from tests.devices.conftest import sample
from tests.wsgi_client import call, environ
from vislivis.lean_wsgi import LeanWSGIHandler


def drop_the_connection() -> None:
    """End this process's database session from another session, as a server restart would."""
    backend = connection.connection.info.backend_pid
    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])


@pytest.fixture
def persistent_connection():
    """Connections kept between requests, as production keeps them (``CONN_MAX_AGE``)."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield
    connection.settings_dict["CONN_MAX_AGE"] = saved
    connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("handler", [LeanWSGIHandler, WSGIHandler], ids=["lean-entry", "whole-stack"])
@pytest.mark.parametrize("body", ["metrics", "malformed"])
def test_a_push_on_a_dropped_connection_is_a_503_and_the_next_one_reconnects(
    store_a, persistent_connection, handler, body
):
    app = handler()
    payload, expected = (sample("metrics"), 200) if body == "metrics" else (b"<Metrics", 400)
    push = lambda: call(app, environ("POST", store_a.ingest_path, payload))  # noqa: E731
    assert push().status == expected
    kept = connection.connection.info.backend_pid
    drop_the_connection()

    lost = push()
    assert lost.status == 503, lost.body[:300]
    assert lost.header("Retry-After") == "5"

    again = push()
    assert again.status == expected, again.body[:300]
    assert connection.connection.info.backend_pid != kept
    assert ReceivedDocument.objects.filter(store=store_a).count() == 2
