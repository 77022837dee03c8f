"""``/healthz`` (the process is up) and ``/readyz`` (its dependencies answer) for load balancers
and compose health checks. Both are unauthenticated, cheap and reveal nothing but the names of
the dependencies and whether each answered.

``/readyz`` checks, each with a one-second timeout: ``database`` (``SELECT 1``), ``redis`` (the
cache and Channels layer: ``PING``), ``broker`` (Celery's broker: ``PING`` for Redis, a kombu
connection otherwise) and ``mqtt`` (an MQTT CONNECT answered by a CONNACK). Which ones run is
``READYZ_CHECKS``; without it, the ones the configuration uses (the embedded default has no
Redis, an in-memory broker and may have no MQTT broker: only the database is checked).

``/readyz`` also says how fresh the camera data is: ``pending_documents`` (camera documents kept
and answered but not applied yet) and ``apply_lag_seconds`` (the oldest one's age), read from
``devices.applier.backlog()`` once the database answered (``null`` when it did not). Past
``DEVICES_APPLY_LAG_WARN_SECONDS`` (default 60) the status is ``"degraded"``, and the answer stays
**200**: a web node that answers pushes keeps every document it accepts, whether the appliers
run or not. Failing readiness on the lag would take every web node out of the load balancer at
once when the appliers stop (they share one backlog), so the cameras' pushes would be refused
and, once a camera's own buffer is full, lost; the backlog would still wait, and nothing would
apply it sooner. The lag is for monitoring to alert on (docs/operations.md, "Scaling out the
camera ingest"), not for routing. The two figures are platform-wide totals: no brand, store or
device is named to the anonymous caller.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
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


def apply_backlog() -> dict[str, float | int | None]:
    """``pending_documents`` and ``apply_lag_seconds`` (``null`` both when the read failed or
    took longer than the checks' timeout: a slow count must not hold a health check)."""
    from devices.applier import backlog

    try:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(TIMEOUT_SECONDS * 1000)}")
            waiting = backlog()
    except Exception as exc:  # noqa: BLE001 - unknown freshness is reported as such, never as a 500
        logger.warning("readyz: apply backlog unreadable: %s: %s", type(exc).__name__, exc)
        return {"pending_documents": None, "apply_lag_seconds": None}
    return {"pending_documents": waiting.pending, "apply_lag_seconds": round(waiting.lag_seconds(), 1)}


def readiness(results: dict[str, str]) -> tuple[int, dict]:
    """The status code and body of ``/readyz`` for the checks' ``results`` (module docstring:
    why a large apply lag is ``"degraded"`` with 200 and not 503)."""
    from devices.freshness import DEFAULT_APPLY_LAG_WARN_SECONDS, apply_lag_warn_seconds

    down = sorted(name for name, state in results.items() if state != "ok")
    freshness: dict[str, float | int | None] = {"pending_documents": None, "apply_lag_seconds": None}
    if results.get("database") == "ok":
        freshness = apply_backlog()
    try:
        warn = apply_lag_warn_seconds()
    except ImproperlyConfigured as error:  # said on every call, in the log; the answer stays useful
        logger.error("readyz: %s Using %s s.", error, DEFAULT_APPLY_LAG_WARN_SECONDS)
        warn = DEFAULT_APPLY_LAG_WARN_SECONDS
    lag = freshness["apply_lag_seconds"]
    status = "unavailable" if down else ("degraded" if lag is not None and lag > warn else "ok")
    body = {"status": status, "checks": results, "down": down, **freshness, "apply_lag_warn_seconds": warn}
    return (503 if down else 200), body


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; says nothing about its dependencies (that is ``/readyz``)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every enabled dependency answers (``"degraded"`` when the camera documents wait
    too long), else 503 naming the ones that did not."""
    status, body = readiness(run_checks(enabled_checks()))
    return JsonResponse(body, status=status)


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
