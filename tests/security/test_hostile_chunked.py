"""Bodies without a Content-Length (``Transfer-Encoding: chunked``) against real HTTP servers.

Django's test client always sets Content-Length, so these tests speak HTTP/1.1 over a socket:
to gunicorn — the production HTTP server (docker/entrypoint.sh), which de-chunks the body and
marks it ``wsgi.input_terminated`` — and to pytest-django's live server (wsgiref), which
cannot tell where such a body ends. A chunked body is measured against the 1 MiB limit like
any other: over it 413, under it read and applied, never taken for an empty body.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from analytics.models import HourlyCustomers
from stores.models import Role
from tests.conftest import basic_auth_header
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database this process created, for the server process to use too."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn_server(transactional_db):
    """gunicorn serving the project (test settings, this test's database) on a free port."""
    pytest.importorskip("gunicorn")  # pinned in requirements/local.txt and production.txt
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.test",
        "DATABASE_URL": database_url(),
    }
    env.pop("REDIS_URL", None)  # the server's cache is its own; nothing here depends on sharing it
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vislivis.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_chunked(port: int, path: str, body: bytes, headers: dict[str, str], chunk: int = 64 * 1024):
    """POST ``body`` as HTTP/1.1 chunks with no Content-Length; → (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("POST", path)
    for name, value in {**headers, "Transfer-Encoding": "chunked"}.items():
        conn.putheader(name, value)
    conn.endheaders()
    try:
        for start in range(0, len(body), chunk):
            piece = body[start : start + chunk]
            conn.send(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered before the whole body was sent (a 413); read that answer
    response = conn.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    conn.close()
    return result


@pytest.fixture
def chunk_sender(store_a):
    user = make_member(store_a.tenant, Role.SENDER, [store_a], username="chunked-sender").user
    return {"Authorization": basic_auth_header(user.username), "Content-Type": "application/json"}


def test_gunicorn_chunked_bodies_are_measured_and_read(gunicorn_server, chunk_sender, store_a):
    import json

    limit = settings.MAX_REQUEST_BODY_BYTES
    # 2 MB without a Content-Length: the documented 413, not "empty body" 400.
    big = b'{"entered": 1, "camera_id": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    status, _, body = post_chunked(gunicorn_server, "/api/analytics/customers", big, chunk_sender)
    assert status == 413, body[:300]
    assert json.loads(body) == {"errors": {"body": [f"Request body is larger than the {limit} byte limit."]}}
    # One byte over the limit is over; a body at the limit is read.
    status, _, _ = post_chunked(gunicorn_server, "/api/health/heartbeat", b" " * (limit + 1), chunk_sender)
    assert status == 413
    at_limit = b'{"note": "' + b"y" * (limit - 12) + b'"}'
    assert len(at_limit) == limit
    status, _, body = post_chunked(gunicorn_server, "/api/health/heartbeat", at_limit, chunk_sender)
    assert status == 200, body[:300]
    # A small chunked record is applied, exactly as with a Content-Length.
    status, _, body = post_chunked(
        gunicorn_server, "/api/analytics/customers", b'{"entered": 7, "camera_id": "chunked"}', chunk_sender, 5
    )
    assert status == 201, body[:300]
    assert list(HourlyCustomers.objects.values_list("camera_id", "entered")) == [("chunked", 7)]
    # Hostile JSON arrives chunked too: still the parser's 400.
    status, _, body = post_chunked(gunicorn_server, "/api/analytics/customers", b"[" * 5000, chunk_sender)
    assert status == 400 and b"nested deeper" in body
    # A camera's XML push without a Content-Length is measured the same way.
    status, _, _ = post_chunked(
        gunicorn_server, f"/api/devices/xml/{store_a.ingest_key}/", b"<Metrics>" + b" " * limit, {}
    )
    assert status == 413
    assert HourlyCustomers.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_server_that_cannot_end_a_chunked_body_answers_411(live_server, chunk_sender):
    """wsgiref (Django's own servers) passes the chunked framing through undecoded and offers no
    end-of-body mark: the body cannot be measured, so it is refused — never read as empty."""
    port = int(live_server.url.rsplit(":", 1)[1])
    status, _, body = post_chunked(port, "/api/analytics/customers", b'{"entered": 7}', chunk_sender)
    assert status == 411, body[:300]
    assert not HourlyCustomers.objects.exists()
