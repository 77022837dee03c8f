"""The standard-library HTTP client against a real local server that answers badly on purpose.

The live server only ever answers well; a panel behind a proxy also says 502, 429, redirects to
https, hangs, or drops the connection. Each must land in the right store-and-forward bucket.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from senders import client as c
from senders.client import Credentials, PanelClient


class Scripted(http.server.BaseHTTPRequestHandler):
    """Answers POST /<status> with that status; /hang waits; /reset closes without answering."""

    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        Scripted.seen.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
        name = self.path.strip("/")
        if name == "hang":
            time.sleep(3)
            return
        if name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return
        status = int(name)
        body = b'{"errors": {"entered": ["A valid integer is required."]}}' if status == 400 else b"<html>oops</html>"
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "https://panel.example.com/api/analytics/customers")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def post(server: str, path: str, **kw) -> c.Outcome:
    client = PanelClient(server, Credentials("boyner", "pa:ss ğ"), retries=0, sleep=lambda s: None, **kw)
    return client.post(path, '{"entered": 1}')


@pytest.mark.parametrize(
    ("path", "kind", "status"),
    [
        ("/201", c.SENT, 201),
        ("/200", c.SENT, 200),
        ("/400", c.REJECTED, 400),
        ("/404", c.REJECTED, 404),
        ("/413", c.REJECTED, 413),
        ("/401", c.AUTH, 401),
        ("/403", c.AUTH, 403),
        ("/408", c.UNREACHABLE, 408),
        ("/429", c.UNREACHABLE, 429),
        ("/500", c.UNREACHABLE, 500),
        ("/502", c.UNREACHABLE, 502),
        ("/503", c.UNREACHABLE, 503),
        ("/301", c.REJECTED, 301),
        ("/302", c.REJECTED, 302),
        ("/307", c.REJECTED, 307),
    ],
)
def test_each_answer_lands_in_its_bucket(server, path, kind, status):
    outcome = post(server, path)
    assert (outcome.kind, outcome.status) == (kind, status)


def test_a_redirect_is_reported_not_followed(server):
    Scripted.seen.clear()
    outcome = post(server, "/302")
    assert (
        outcome.message
        == "panel redirected to https://panel.example.com/api/analytics/customers; set --url to that address"
    )
    assert [s["path"] for s in Scripted.seen] == ["/302"]  # a followed POST would become a GET and lose the data


def test_the_panels_field_messages_are_kept(server):
    outcome = post(server, "/400")
    assert outcome.errors == {"entered": ["A valid integer is required."]}
    assert outcome.message == "rejected (400): entered: A valid integer is required."


def test_basic_auth_and_body_go_out_as_the_seed_sent_them(server):
    import base64

    Scripted.seen.clear()
    post(server, "/201")
    (request,) = Scripted.seen
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode("boyner:pa:ss ğ".encode()).decode()
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["User-Agent"].startswith("vislivis-senders/")
    assert request["body"] == b'{"entered": 1}'


def test_a_token_replaces_basic_auth(server):
    Scripted.seen.clear()
    PanelClient(server, Credentials(token="abc123"), retries=0).post("/201", "{}")
    assert Scripted.seen[0]["headers"]["Authorization"] == "Token abc123"


def test_no_answer_in_time_is_unreachable(server):
    started = time.monotonic()
    outcome = post(server, "/hang", timeout=0.5)
    assert outcome.kind == c.UNREACHABLE
    assert outcome.message == f"no answer from {server} within 0.5 s"
    assert time.monotonic() - started < 2.5


def test_a_dropped_connection_is_unreachable(server):
    outcome = post(server, "/reset")
    assert outcome.kind == c.UNREACHABLE, outcome.message


def test_refused_and_unknown_hosts_are_unreachable():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    refused = post(f"http://127.0.0.1:{port}", "/201")
    assert (refused.kind, refused.message) == (
        c.UNREACHABLE,
        f"cannot connect to http://127.0.0.1:{port} (connection refused)",
    )
    unknown = post("http://no-such-host.invalid", "/201")
    assert unknown.kind == c.UNREACHABLE
    assert "cannot connect to http://no-such-host.invalid" in unknown.message


def test_retries_back_off_then_give_up(server):
    sleeps: list[float] = []
    client = PanelClient(server, Credentials("boyner", "x"), retries=2, backoff=2.0, sleep=sleeps.append)
    Scripted.seen.clear()
    assert client.post("/503", "{}").kind == c.UNREACHABLE
    assert len(Scripted.seen) == 3
    assert [round(s) for s in sleeps] in ([2, 4], [2, 3], [2, 5])  # 2 s then 4 s, ±20 % jitter
    assert 1.6 <= sleeps[0] <= 2.4 and 3.2 <= sleeps[1] <= 4.8
