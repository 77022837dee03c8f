"""Structured logs with request ids: one JSON object per line on stdout in production.

Production uses ``configure`` as Django's ``LOGGING_CONFIG``: besides the dictConfig it turns an
uncaught exception (any thread) and a Python warning into one log record, so a traceback is one
JSON line with an ``exc_info`` field instead of many lines of raw text. Celery's own logging
setup (which redirects stdout/stderr to a logger one ``write`` at a time: ~1,300 lines for one
traceback) is replaced by this one in ``vislivis/celery.py``.

Every request gets an id (the proxy's ``X-Request-ID`` when it looks sane, else a new one); it
is echoed in the response header and stamped on every log record written while the request
runs, so one store's failing push can be followed across lines. Celery tasks stamp their task
id the same way. The access line (method, path, status, duration) comes from the middleware,
not from gunicorn, so it carries the id too.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from django.http import HttpRequest, HttpResponse

from vislivis.client_address import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_INBOUND_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
access_logger = logging.getLogger("vislivis.request")
# Load balancers poll these every few seconds; their access lines would drown the real ones.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def new_request_id() -> str:
    return uuid.uuid4().hex


def inbound_request_id(value: str | None) -> str:
    """The proxy's id if it is a plain token (ids end up in logs: no injection), else a new one."""
    if value and _VALID_INBOUND_ID.match(value):
        return value
    return new_request_id()


def open_request(request: HttpRequest) -> Token[str]:
    """Give ``request`` its id (``request.request_id``) and stamp it on every record written until
    the returned token is reset; :func:`answered` then writes the access line. Shared by the
    middleware and the lean WSGI entry (``vislivis.lean_wsgi``), so both log alike."""
    request_id = inbound_request_id(request.META.get("HTTP_X_REQUEST_ID"))
    request.request_id = request_id  # type: ignore[attr-defined]
    request.started_at = time.monotonic()  # type: ignore[attr-defined]
    return request_id_var.set(request_id)


def answered(request: HttpRequest, response: HttpResponse) -> None:
    """Echo the request id on ``response`` and write the access line (not for health polls)."""
    response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
    # The line's fields (the client address among them) are worth computing only when written.
    if request.path not in QUIET_PATHS and access_logger.isEnabledFor(logging.INFO):
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - request.started_at) * 1000, 1),  # type: ignore[attr-defined]
                "remote_addr": client_ip(request),
            },
        )


class RequestIdMiddleware:
    """Assigns the request id, echoes it in the response and writes one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = open_request(request)
        try:
            response = self.get_response(request)
            answered(request, response)
            return response
        finally:
            request_id_var.reset(token)


# A camera's ingest URL is its only credential: logs keep a recognisable prefix, never the key.
_INGEST_KEY_IN_PATH = re.compile(r"(/api/devices/xml/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*")


def redact_secrets(text: str) -> str:
    """``/api/devices/xml/9RknQIVM04.../`` → ``/api/devices/xml/9Rkn…/``."""
    return _INGEST_KEY_IN_PATH.sub(r"\1\2…", text)


def _redact_record(record: logging.LogRecord) -> None:
    message = record.getMessage()
    redacted = redact_secrets(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    for attribute in ("path", "request"):
        value = getattr(record, attribute, None)
        if value is not None:
            text = str(value)
            if "/api/devices/xml/" in text:
                setattr(record, attribute, redact_secrets(text))


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (the request's, the Celery task's, or ``-``) and
    redacts ingest keys from it before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current_id()
        _redact_record(record)
        return True


def _current_id() -> str:
    request_id = request_id_var.get()
    if request_id != "-":
        return request_id
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a base requirement
        return request_id
    task = current_task
    if task and getattr(task, "request", None) is not None and task.request.id:
        return f"task:{task.request.id}"
    return request_id


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


uncaught_logger = logging.getLogger("vislivis.uncaught")


def configure(config: dict[str, Any]) -> None:
    """Django's ``LOGGING_CONFIG`` in production: ``LOGGING``, uncaught exceptions and warnings."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    install_excepthooks()


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None, thread: str | None = None
) -> None:
    where = f" in thread {thread}" if thread else ""
    uncaught_logger.critical(
        "uncaught %s%s: %s", exc_type.__name__, where, exc, exc_info=(exc_type, exc, tb) if exc else None
    )


def install_excepthooks() -> None:
    """Uncaught exceptions become one CRITICAL record (with the traceback) instead of raw stderr."""

    def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        _log_uncaught(exc_type, exc, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback, getattr(args.thread, "name", None))

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


websocket_access_logger = logging.getLogger("vislivis.websocket")
_WEBSOCKET_ACTIONS = {
    "connecting": "WSCONNECTING",
    "connected": "WSCONNECT",
    "rejected": "WSREJECT",
    "disconnected": "WSDISCONNECT",
}


class WebSocketAccessLog:
    """daphne's access-log interface (``AccessLogGenerator(stream)``; called with protocol,
    action, details) writing WebSocket events as log records: one JSON line each in production.

    HTTP requests are left out: the application writes their access line (``vislivis.request``,
    with the request id), so logging them here too would write each twice.
    """

    def __init__(self, stream: object = None) -> None:
        self.stream = stream  # unused: records go through logging

    def __call__(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        if protocol != "websocket" or action not in _WEBSOCKET_ACTIONS:
            return
        path = redact_secrets(str(details.get("path", "")))
        websocket_access_logger.info(
            "%s %s",
            _WEBSOCKET_ACTIONS[action],
            path,
            extra={"event": f"websocket.{action}", "path": path, "peer": details.get("client")},
        )
