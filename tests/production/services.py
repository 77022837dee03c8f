"""Real services when they run here, tiny stand-ins on a laptop without them.

With ``VISLIVIS_REQUIRE_SERVICES=1`` (CI's PostgreSQL run) a missing service fails the test
instead of falling back.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_or_fallback(port: int, name: str) -> bool:
    """True when the real service answers; False (use the fallback) only when it may be absent."""
    if port_open(port):
        return True
    if os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} on 127.0.0.1:{port} is required (VISLIVIS_REQUIRE_SERVICES=1) but not reachable")
    return False


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fake_server(reply) -> Iterator[int]:
    """A one-thread TCP server answering each received chunk with ``reply(chunk)``."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            while True:
                data = self.request.recv(4096)
                if not data:
                    return
                answer = reply(data)
                if answer is None:
                    return
                self.request.sendall(answer)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def fake_mqtt_reply(return_code: int):
    def reply(data: bytes) -> bytes | None:
        if data[:1] == b"\x10":
            return bytes([0x20, 0x02, 0x00, return_code])
        return None

    return reply
