"""The database goes away: every surface answers 503 with ``Retry-After``, never a 500.

The outage is real, not a mock: the connection is closed and pointed at a port nobody listens
on, so Django's own connect fails
with the driver's ``OperationalError`` exactly as it does when the server is down.
"""

from __future__ import annotations

import json
import logging
import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from stores.models import Role
from tests.conftest import basic_auth_header
from tests.factories import PASSWORD, make_member
from vislivis.middleware import server_error


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.ensure_connection()


def assert_database_503(response, *, json_body: bool = True) -> None:
    assert response.status_code == 503, (response.status_code, response.content[:300])
    assert response["Retry-After"] == "5"
    if json_body:
        assert json.loads(response.content) == {"errors": {"database": ["The database is unavailable; retry shortly."]}}
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"Service unavailable" in response.content


@pytest.mark.django_db(transaction=True)
def test_api_pages_and_ingest_answer_503_while_the_database_is_down(client, store_a, caplog):
    sender = make_member(store_a.tenant, Role.SENDER, [store_a], username="outage-sender").user
    viewer = make_member(store_a.tenant, Role.VIEWER, [store_a], username="outage-viewer").user
    client.force_login(viewer)
    auth = {"HTTP_AUTHORIZATION": basic_auth_header(sender.username)}
    ingest_url = f"/api/devices/xml/{store_a.ingest_key}/"

    with caplog.at_level(logging.ERROR, logger="vislivis.request"), database_down():
        with pytest.raises(OperationalError):
            connection.ensure_connection()  # the outage is real
        # A DRF view whose authentication needs the database (Basic).
        assert_database_503(
            client.post("/api/analytics/customers", {"entered": 2}, content_type="application/json", **auth)
        )
        # The unauthenticated token login.
        assert_database_503(
            client.post("/api/auth/token", {"username": "x", "password": PASSWORD}, content_type="application/json")
        )
        # A read endpoint and a plain (non-DRF) view.
        assert_database_503(client.get(f"/api/stores/{store_a.pk}/customers", **auth))
        assert_database_503(client.post(ingest_url, b"<Metrics/>", content_type="application/xml"))
        # A dashboard page: the session's user cannot be loaded; a page, not JSON.
        assert_database_503(client.get("/dashboard/"), json_body=False)
    assert sum("Database unavailable" in record.getMessage() for record in caplog.records) == 5

    # Back up: the same requests work again without a restart.
    assert client.get("/dashboard/").status_code == 200
    assert (
        client.post("/api/analytics/customers", {"entered": 2}, content_type="application/json", **auth).status_code
        == 201
    )


def test_a_database_error_outside_any_view_is_a_503_too():
    """``handler500`` sees the exception being handled (a middleware saving the session, say)."""
    request = RequestFactory().get("/api/stores/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert_database_503(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(RequestFactory().get("/dashboard/")).status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_under_a_request_is_a_503(client, store_a):
    """The server terminates the backend (failover, restart, admin): that request gets an honest
    503 to retry, and the connection is replaced for the next one."""
    import psycopg

    sender = make_member(store_a.tenant, Role.SENDER, [store_a], username="killed-conn").user
    auth = {"HTTP_AUTHORIZATION": basic_auth_header(sender.username)}
    assert client.get("/api/stores/", **auth).status_code == 200
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    # Django's test client skips the request-start connection check gunicorn runs, so the dead
    # connection is used as a request would use one killed under it.
    assert_database_503(client.get("/api/stores/", **auth))
    connection.close()  # what the request-start check (CONN_HEALTH_CHECKS) does in production
    assert client.get("/api/stores/", **auth).status_code == 200
