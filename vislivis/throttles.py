"""Request throttles: fixed-window counters, every window of a request counted in one round trip.

Who is counted, and in which windows (rates in ``DEFAULT_THROTTLE_RATES`` of base settings):

- ``account_burst`` + ``account``: every request of an authenticated account (sender endpoints,
  read API), keyed by the user id, so one runaway store script cannot starve the others.
- ``login``: ``POST /api/auth/token``, keyed by the client address (``vislivis.client_address``),
  because every attempt costs a full password hash. Never by the username tried: that would let
  anybody anywhere shut an account out of token login. Failed logins as such are limited per
  (address, username) and per address by ``stores.login_limits``, on every login surface.
- ``ingest_key_burst`` + ``ingest_key``: ``/api/devices/xml/<key>/``, keyed by a digest of the
  store's ingest key (the key is the cameras' only credential, so it never reaches the cache).

Rates are generous on purpose: a store sends about 20 requests an hour plus a heartbeat every
5 minutes, a camera pushes a few times a minute, and a batch of 1,000 records is one request. A
throttle is a guard against loops and abuse, never a quota a well-behaved client can reach.

Why fixed windows and not DRF's sliding log: DRF's ``SimpleRateThrottle`` keeps a pickled list
of timestamps per key (up to 6,000 for the hourly account rate) and reads and rewrites it on
every request, one cache round trip each way per class. Here a window is one integer counter
(``throttle:<scope>:<window number>:<identity>``) and all windows of a request are checked and
counted by one small Lua script, one round trip on one Redis client per process. A request is
counted only when every window still has room, so exactly N requests pass per window and a
refused request costs the client nothing later (as with DRF). The trade-off: the windows start
at fixed times (whole minutes and hours of the epoch), so a client that fills a window at its
very end and the next one at its very start gets up to 2 × the rate through within one window's
length. For a guard against loops that is fine: a loop is stopped within one window either way,
and a well-behaved client is far below even half the rate. ``Retry-After`` is the time left
until the refusing window ends, which is exact for fixed windows.

Without a Redis cache (the embedded LocMem default, test runs without REDIS_URL) the same counting runs on
the Django cache with ``add`` + ``incr`` (and ``decr`` to take back a refused request's counts).
If Redis cannot be reached the request is let through with a warning: the throttle must not be
the thing that takes ingest down.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from vislivis.client_address import client_ip

log = logging.getLogger(__name__)

INGEST_PATH = re.compile(r"^/api/devices/xml/(?P<key>[^/]+)/?$")
LOGIN_URL_NAME = "api-token"
ACCOUNT_SCOPES = ("account_burst", "account")
INGEST_KEY_SCOPES = ("ingest_key_burst", "ingest_key")
LOGIN_SCOPES = ("login",)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
REDIS_CACHE_BACKENDS = ("django.core.cache.backends.redis.RedisCache", "vislivis.cache.ReusingRedisCache")

# KEYS: the window counters; ARGV: limit and window seconds of each key, in key order.
# Returns the 1-based positions of full windows; counts the request in every window only when
# none is full. A counter's lifetime starts with its first request, so it never outlives its window.
COUNT_SCRIPT = """
local full = {}
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i])) or 0
  if count >= tonumber(ARGV[2 * i - 1]) then full[#full + 1] = i end
end
if #full == 0 then
  for i = 1, #KEYS do
    if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i]) end
  end
end
return full
"""


# KEYS: counters to take one count back from; a counter that is gone (expired) stays gone.
RELEASE_SCRIPT = """
for i = 1, #KEYS do
  if (tonumber(redis.call('GET', KEYS[i])) or 0) > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Window:
    """One fixed window of a scope: ``limit`` requests per ``seconds``."""

    scope: str
    limit: int
    seconds: int


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"300/min"`` → ``(300, 60)``, DRF's rate syntax (the period's first letter counts)."""
    if not rate:
        return None
    number, period = rate.split("/")
    return int(number), PERIODS[period.strip()[0]]


def windows_of(scopes: tuple[str, ...]) -> list[Window]:
    """The configured windows of these scopes, read at call time (``override_settings`` works)."""
    rates = api_settings.DEFAULT_THROTTLE_RATES
    windows = []
    for scope in scopes:
        parsed = parse_rate(rates.get(scope))
        if parsed is not None:
            windows.append(Window(scope, *parsed))
    return windows


def digest(value: str) -> str:
    """What the cache keeps of a credential-like identity (an ingest key, a username)."""
    return hashlib.sha256(value.encode()).hexdigest()


def counter_key(window: Window, identity: str, now: float) -> str:
    return f"throttle:{window.scope}:{int(now // window.seconds)}:{identity}"


def seconds_left(window: Window, now: float) -> float:
    return (now // window.seconds + 1) * window.seconds - now


class _RedisCounter:
    """One Redis client (and its connection pool) per process, for the cache's location."""

    location: str | None = None
    client: redis.Redis | None = None
    script = None
    release = None

    @classmethod
    def get(cls) -> _RedisCounter | None:
        config = settings.CACHES["default"]
        if config["BACKEND"] not in REDIS_CACHE_BACKENDS:
            return None
        location = config["LOCATION"]
        location = location[0] if isinstance(location, (list, tuple)) else location
        if cls.location != location:
            cls.client = redis.Redis.from_url(location)
            cls.script = cls.client.register_script(COUNT_SCRIPT)
            cls.release = cls.client.register_script(RELEASE_SCRIPT)
            cls.location = location
        return cls


def _script_args(windows: list[Window]) -> list[int]:
    """``COUNT_SCRIPT``'s ARGV: limit and seconds of each window, in key order."""
    args: list[int] = []
    for window in windows:
        args += [window.limit, window.seconds]
    return args


def _full_windows(windows: list[Window], positions: list) -> list[Window]:
    """The windows ``COUNT_SCRIPT`` answered full (1-based positions)."""
    return [windows[int(position) - 1] for position in positions]


def _wait(full: list[Window], now: float) -> float | None:
    """What a throttle answers: ``None`` to pass, else the seconds until the latest full window ends."""
    return max((seconds_left(window, now) for window in full), default=None)


def _let_through(exc: redis.RedisError) -> None:
    log.warning("Throttle counters unavailable, request let through: %s", exc)


def _count_on_redis(counter: type[_RedisCounter], keys: list[str], windows: list[Window]) -> list[Window]:
    full = counter.script(keys=[cache.make_key(key) for key in keys], args=_script_args(windows))
    return _full_windows(windows, full)


def _count_on_cache(keys: list[str], windows: list[Window]) -> list[Window]:
    """The same counting with the Django cache API (per-process LocMem: exact within the process)."""
    full = []
    for key, window in zip(keys, windows, strict=True):
        if cache.add(key, 1, window.seconds):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr: a new window
                cache.set(key, 1, window.seconds)
                count = 1
        if count > window.limit:
            full.append(window)
    if full:  # a refused request takes its counts back, as the Redis script never adds them
        for key in keys:
            try:
                cache.decr(key)
            except ValueError:
                pass
    return full


def hit(identity: str, scopes: tuple[str, ...], now: float | None = None) -> float | None:
    """Count one request of ``identity`` in every window of ``scopes``.

    ``None`` when it may pass; otherwise the seconds until the (latest-ending) full window ends.
    """
    return hit_windows([(window, identity) for window in windows_of(scopes)], now)


def hit_windows(entries: list[tuple[Window, str]], now: float | None = None) -> float | None:
    """:func:`hit` for windows of different identities (the login limits count two at once)."""
    if not entries:
        return None
    now = time.time() if now is None else now  # looked up at call time: tests move the clock
    windows = [window for window, _ in entries]
    keys = [counter_key(window, identity, now) for window, identity in entries]
    counter = _RedisCounter.get()
    if counter is None:
        full = _count_on_cache(keys, windows)
    else:
        try:
            full = _count_on_redis(counter, keys, windows)
        except redis.RedisError as exc:
            _let_through(exc)
            return None
    return _wait(full, now)


def take_back(entries: list[tuple[Window, str]], now: float) -> None:
    """Uncount one request counted by :func:`hit_windows` at ``now`` (a login that succeeded).

    Best effort: a counter that expired meanwhile is left alone; Redis trouble is only logged.
    """
    keys = [counter_key(window, identity, now) for window, identity in entries]
    counter = _RedisCounter.get()
    if counter is None:
        for key in keys:
            try:
                cache.decr(key)
            except ValueError:
                pass
        return
    try:
        counter.release(keys=[cache.make_key(key) for key in keys])
    except redis.RedisError as exc:
        log.warning("Throttle counters unavailable, count not taken back: %s", exc)


def ingest_key_wait(ingest_key: str) -> float | None:
    """Throttle check of one camera push (the lean XML view calls this without DRF)."""
    return send_ingest_key_hit(ingest_key).wait()


def send_ingest_key_hit(ingest_key: str) -> PendingHit:
    """Count one camera push, reading the answer later (``PendingHit.wait``).

    Why: on Redis the count is a round trip, and a push has its body to parse meanwhile; read
    after the parse, the reply is usually there already, so the worker neither waits idle nor
    pays for being woken (~0.2 ms of a ~1 ms push in process). Refusals are the same as
    ``hit``'s: the caller must not keep or answer anything before ``wait``.
    """
    identity = f"key:{digest(ingest_key)}"
    windows = windows_of(INGEST_KEY_SCOPES)
    now = time.time()
    counter = _RedisCounter.get()
    if counter is None or not windows:
        return PendingHit.answered(hit_windows([(window, identity) for window in windows], now))
    keys = [cache.make_key(counter_key(window, identity, now)) for window in windows]
    return PendingHit(counter, windows, keys, now)


class _ThrottleConnection(threading.local):
    """One raw Redis connection per thread (and process) for counts sent ahead of their reply:
    a pooled connection would go back to the pool with a reply still unread."""

    connection: redis.Connection | None = None
    location: str | None = None
    pid: int | None = None

    def get(self, counter: type[_RedisCounter]) -> redis.Connection:
        if self.connection is None or self.location != counter.location or self.pid != os.getpid():
            pool = counter.client.connection_pool
            self.connection = pool.connection_class(**pool.connection_kwargs)
            self.location, self.pid = counter.location, os.getpid()
        return self.connection

    def drop(self) -> None:
        """Disconnect after an error or an unread reply: the next count starts on a clean line."""
        if self.connection is not None:
            self.connection.disconnect()


_throttle_connection = _ThrottleConnection()


class PendingHit:
    """One request's count, sent on creation and not yet read; ``wait`` gives what ``hit`` would.

    ``close`` must follow (the view's ``finally``): a reply left unread would be taken by the
    next request on the same connection, so the connection is dropped instead.
    """

    def __init__(self, counter: type[_RedisCounter] | None, windows: list[Window], keys: list[str], now: float):
        self.counter, self.windows, self.keys, self.now = counter, windows, keys, now
        self.result: float | None = None
        self.sent = False
        if counter is None:
            return
        try:
            _throttle_connection.get(counter).send_command(
                "EVALSHA", counter.script.sha, len(keys), *keys, *_script_args(windows)
            )
        except redis.RedisError as exc:
            _throttle_connection.drop()
            _let_through(exc)
            return
        self.sent = True

    @classmethod
    def answered(cls, result: float | None) -> PendingHit:
        """A count already taken (the cache fallback, or no rate configured)."""
        pending = cls(None, [], [], 0.0)
        pending.result = result
        return pending

    def wait(self) -> float | None:
        if not self.sent:
            return self.result
        self.sent = False
        try:
            full = _throttle_connection.get(self.counter).read_response()
        except redis.exceptions.NoScriptError:  # Redis restarted or flushed its scripts
            try:
                full = self.counter.script(keys=self.keys, args=_script_args(self.windows))
            except redis.RedisError as exc:
                _let_through(exc)
                return None
        except redis.RedisError as exc:
            _throttle_connection.drop()
            _let_through(exc)
            return None
        self.result = _wait(_full_windows(self.windows, full), self.now)
        return self.result

    def close(self) -> None:
        if self.sent:
            self.sent = False
            _throttle_connection.drop()


def throttled_response(wait: float) -> JsonResponse:
    """The 429 the API's exception handler gives for DRF's ``Throttled``, for views outside DRF."""
    exc = Throttled(wait)
    return JsonResponse({"errors": {"detail": [str(exc.detail)]}}, status=429, headers={"Retry-After": str(exc.wait)})


def identities(request: Request) -> list[tuple[str, tuple[str, ...]]]:
    """The identities this request is counted under, each with its scopes (often exactly one)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    match = getattr(request._request, "resolver_match", None)
    if match is not None and match.url_name == LOGIN_URL_NAME and request.method == "POST":
        found.append((f"addr:{digest(client_ip(request) or '-')}", LOGIN_SCOPES))
    user = request.user
    if user is not None and user.is_authenticated:
        found.append((f"id:{user.pk}", ACCOUNT_SCOPES))
    path_match = INGEST_PATH.match(request.path)
    if path_match is not None:
        found.append((f"key:{digest(path_match['key'])}", INGEST_KEY_SCOPES))
    return found


class RequestThrottle(BaseThrottle):
    """The one global DRF throttle: every identity of the request, each in one round trip."""

    def allow_request(self, request: Request, view) -> bool:
        waits = [hit(identity, scopes) for identity, scopes in identities(request)]
        self._wait = max((wait for wait in waits if wait is not None), default=None)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
