"""Requests through a real WSGI application, as gunicorn hands them over.

Django's test ``Client`` has its own handler: it builds requests past ``WSGIHandler.__call__``
and unhooks ``close_old_connections`` from the request signals, so neither the lean WSGI entry
(``vislivis.lean_wsgi``) nor a worker's connection recycling can be seen through it. These
helpers call the application itself with a WSGI environ and close the reply as a server does.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field

from django.core.handlers.wsgi import WSGIHandler


@dataclass
class WSGIReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    names: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.names = {name.lower() for name, _ in self.headers}

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def environ(
    method: str,
    path: str,
    body: bytes = b"",
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    content_type: str = "text/xml",
    content_length: str | None = None,
    secure: bool = True,
) -> dict:
    """A WSGI environ as gunicorn builds it behind the TLS proxy (``X-Forwarded-Proto``)."""
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if secure:
        env["HTTP_X_FORWARDED_PROTO"] = "https"
    if body or content_length is not None:
        env["CONTENT_TYPE"] = content_type
    length = str(len(body)) if content_length is None else content_length
    if body and length or content_length:
        env["CONTENT_LENGTH"] = length
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app: WSGIHandler, env: dict) -> WSGIReply:
    """Run ``app`` on ``env``: status, headers in the order given, the body; the reply closed."""
    started: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        started["status"], started["headers"] = status, headers

    reply = app(env, start_response)
    try:
        body = b"".join(reply)
    finally:
        close = getattr(reply, "close", None)
        if close is not None:
            close()
    return WSGIReply(int(started["status"].split()[0]), list(started["headers"]), body)
