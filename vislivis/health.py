"""``/healthz`` (the process is up) and ``/readyz`` (its dependencies answer) for load balancers
and compose health checks. Both are unauthenticated, cheap and reveal nothing but the names of
the dependencies and whether each answered.

``/readyz`` checks, each with a one-second timeout: ``database`` (``SELECT 1``), ``redis`` (the
cache and Channels layer: ``PING``), ``broker`` (Celery's broker: ``PING`` for Redis, a kombu
connection otherwise) and ``mqtt`` (an MQTT CONNECT answered by a CONNACK). Which ones run is
``READYZ_CHECKS``; without it, the ones the configuration uses (the embedded default has no
Redis, an in-memory broker and may have no MQTT broker: only the database is checked).
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 1.0
HEALTH_PATHS = ("/healthz", "/readyz")


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis_ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def check_redis() -> None:
    _redis_ping(settings.REDIS_URL)


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if urlsplit(url).scheme in {"redis", "rediss"}:
        _redis_ping(url)
        return
    from kombu import Connection

    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)


def check_mqtt() -> None:
    """A real MQTT 3.1.1 handshake (with the URL's credentials): an open port that is not a
    broker, or a broker that refuses us, fails too."""
    parts = urlsplit(settings.MQTT_URL)
    port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    flags = 0x02  # clean session
    payload = _mqtt_string(b"vislivis-readyz")
    if parts.username:
        flags |= 0x80
        payload += _mqtt_string(unquote(parts.username).encode())
        if parts.password is not None:
            flags |= 0x40
            payload += _mqtt_string(unquote(parts.password).encode())
    variable = b"\x00\x04MQTT\x04" + bytes([flags]) + b"\x00\x05"  # level 4, keepalive 5 s
    packet = b"\x10" + _mqtt_length(len(variable) + len(payload)) + variable + payload
    with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=TIMEOUT_SECONDS) as raw:
        sock = raw
        if parts.scheme == "mqtts":
            import ssl

            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=parts.hostname)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.sendall(packet)
        reply = sock.recv(4)
        if reply[:1] == b"\x20":
            sock.sendall(b"\xe0\x00")  # DISCONNECT
    if len(reply) < 4 or reply[0] != 0x20 or reply[3] != 0:
        raise ConnectionError(f"no accepted CONNACK (got {reply!r})")


def _mqtt_string(value: bytes) -> bytes:
    return struct.pack("!H", len(value)) + value


def _mqtt_length(length: int) -> bytes:
    """MQTT's variable-length "remaining length" encoding."""
    encoded = bytearray()
    while True:
        length, digit = divmod(length, 128)
        encoded.append(digit | (0x80 if length else 0))
        if not length:
            return bytes(encoded)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "mqtt": check_mqtt,
}


def enabled_checks() -> list[str]:
    configured = getattr(settings, "READYZ_CHECKS", None)
    if configured is not None:
        return [name for name in configured if name in CHECKS]
    names = ["database"]
    if settings.REDIS_URL:
        names.append("redis")
    if not settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL.startswith("memory://"):
        names.append("broker")
    return names


def run_checks(names: list[str]) -> dict[str, str]:
    """``{name: "ok" | "down"}``; the reason goes to the log, not to the anonymous caller."""
    results = {}
    for name in names:
        try:
            CHECKS[name]()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", whatever raised it
            logger.warning("readyz: %s is down: %s: %s", name, type(exc).__name__, exc)
            results[name] = "down"
        else:
            results[name] = "ok"
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; says nothing about its dependencies (that is ``/readyz``)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every enabled dependency answers, else 503 naming the ones that did not."""
    results = run_checks(enabled_checks())
    down = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "unavailable" if down else "ok", "checks": results, "down": down}
    return JsonResponse(body, status=503 if down else 200)


class HealthCheckMiddleware:
    """Answers the two health paths before host validation and the HTTPS redirect.

    Load balancers and container health checks call ``http://<ip>:8000/readyz``: neither that
    Host nor plain HTTP would pass ``ALLOWED_HOSTS`` and ``SECURE_SSL_REDIRECT``. Production
    puts this first in ``MIDDLEWARE``; everywhere else the URL routes serve the same views.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        if request.path_info == "/readyz":
            return readyz(request)
        return self.get_response(request)
