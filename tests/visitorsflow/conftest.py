"""VisitorsFlow fixtures: a site on a temp folder, seed-shaped files, a real local HTTP API."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from visitorsflow.models import Site


@pytest.fixture(autouse=True)
def _fast_settle(settings):
    """Files in tests are complete when written; production waits 2 s for stragglers."""
    settings.VISITORSFLOW_SETTLE_SECONDS = 0.0
    settings.VISITORSFLOW_EXPORT_RETRY_BASE_SECONDS = 0.01
    settings.TELEGRAM_API_ID = 0
    settings.TELEGRAM_API_HASH = ""


@pytest.fixture
def watch_dir(tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    return folder


@pytest.fixture
def site(store_a, watch_dir):
    """SS-007 on the Istanbul store (UTC+3 all year)."""
    return Site.objects.create(store=store_a, ssid="SS-007", watch_dir=str(watch_dir), export_url="")


def event(person_id: int, in_out: int, time: str, frame: int) -> dict:
    return {"ID": person_id, "inOut": in_out, "time": time, "frameNumber": frame}


def write_events(folder, name: str, events) -> object:
    path = folder / name
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


@dataclass
class FakeApi:
    """A real HTTP server on 127.0.0.1 that records each request and answers from a script."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    body: bytes = b'{"result":"ok"}'


@pytest.fixture
def api_server():
    state = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/api/flow"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """A URL on a port nobody listens on: connection refused, for real."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/api/flow"
