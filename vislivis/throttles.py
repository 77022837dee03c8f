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

The camera push, the most frequent request, takes its counts a few at a time (a lease, see
``LEASE_DIVISOR``): a process counts a key's next pushes from counts it already took in Redis,
so most pushes make no round trip. Still never more than the limit per window; at most each
process's unused counts of a key are refused early when its window fills.

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


# The camera push's counting (``send_ingest_key_hit``): as COUNT_SCRIPT, but taking up to
# ARGV[1] counts at once, as many as every window still has room for (a lease this process uses
# for the push and the next ones of the same key). KEYS: the window counters; per KEYS[i]:
# ARGV[3 * i - 1] its limit, ARGV[3 * i] its seconds, ARGV[3 * i + 1] counts of an earlier lease
# this process hands back unused (its window is still this one; never below 0). Returns {counts
# taken}, or {0, positions of the full windows} when one is full (nothing more counted).
LEASE_SCRIPT = """
local room = tonumber(ARGV[1])
local full = {}
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i])) or 0
  local back = math.min(tonumber(ARGV[3 * i + 1]), count)
  if back > 0 then
    redis.call('DECRBY', KEYS[i], back)
    count = count - back
  end
  local left = tonumber(ARGV[3 * i - 1]) - count
  if left <= 0 then full[#full + 1] = i elseif left < room then room = left end
end
if #full > 0 then
  table.insert(full, 1, 0)
  return full
end
for i = 1, #KEYS do
  if redis.call('INCRBY', KEYS[i], room) == room then redis.call('EXPIRE', KEYS[i], ARGV[3 * i]) end
end
return {room}
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
    lease = None
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
            cls.lease = cls.client.register_script(LEASE_SCRIPT)
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

    Counts come from Redis a few at a time (``lease_size``): a push this process holds a count
    for in the current windows costs no round trip at all (see ``_Leases``).
    """
    identity = f"key:{digest(ingest_key)}"
    windows = windows_of(INGEST_KEY_SCOPES)
    now = time.time()
    counter = _RedisCounter.get()
    if counter is None or not windows:
        return PendingHit.answered(hit_windows([(window, identity) for window in windows], now))
    key, numbers = (identity, tuple(windows)), tuple(int(now // window.seconds) for window in windows)
    handed_back = _leases.take(key, numbers)
    if handed_back is None:
        return PendingHit.answered(None)
    keys = [cache.make_key(counter_key(window, identity, now)) for window in windows]
    return PendingHit(counter, windows, keys, now, lease=(key, numbers), handed_back=handed_back)


# A count taken from Redis costs the push ~60-80 µs of CPU on this kind of VM (most of it waking
# Redis and being woken), ~10 % of a push. So a process takes up to 1/LEASE_DIVISOR of the
# smallest limit at once (4 of the default 300 a minute) and counts the key's next pushes in the
# same windows from those. Never more than the limit passes per window (counts are taken in
# Redis before they are used). Counts left when a window ends are handed back to the windows
# still running (the hour's, when a minute ends) with the key's next lease; the ended window's
# are gone with it, so a window refuses at most (processes × (lease − 1)) of a key's limit
# early — a guard far above what cameras send. Limits under 2 × LEASE_DIVISOR take one count
# at a time, exactly as ``hit`` does.
LEASE_DIVISOR = 64
LEASES_KEPT = 10_000  # identities with counts in hand; past that the table starts afresh


def lease_size(windows: list[Window]) -> int:
    """How many counts a push takes from Redis at once for ``windows``."""
    return max(1, min(window.limit for window in windows) // LEASE_DIVISOR)


class _Leases:
    """Counts this process took from Redis and has not used yet: per (identity, windows), with
    the window numbers they were taken in. Per process: a forked worker starts empty (its
    parent's counts are the parent's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._left: dict[tuple, tuple[tuple[int, ...], int]] = {}
        self._pid = os.getpid()

    def take(self, key: tuple, numbers: tuple[int, ...]) -> list[int] | None:
        """Use one count in hand for ``key`` in the windows ``numbers``: ``None`` when one was.
        Otherwise the counts to hand back per window (those of an earlier lease whose window
        is still the current one; 0 for the others) with the next lease."""
        with self._lock:
            if self._pid != os.getpid():
                self._left, self._pid = {}, os.getpid()
            held = self._left.get(key)
            if held is None:
                return [0] * len(numbers)
            taken_in, count = held
            if taken_in != numbers:
                del self._left[key]
                return [count if then == current else 0 for then, current in zip(taken_in, numbers, strict=True)]
            if count <= 1:
                del self._left[key]
            else:
                self._left[key] = (numbers, count - 1)
            return None

    def keep(self, key: tuple, numbers: tuple[int, ...], count: int) -> None:
        """Hold ``count`` unused counts of ``key`` for the windows ``numbers``."""
        if count <= 0:
            return
        with self._lock:
            if len(self._left) >= LEASES_KEPT:
                self._left = {}  # counts dropped are only refused early, never let through
            self._left[key] = (numbers, count)

    def clear(self) -> None:
        with self._lock:
            self._left = {}


_leases = _Leases()


def forget_leases() -> None:
    """Drop the counts this process holds (after the counters were cleared: tests)."""
    _leases.clear()


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

    def __init__(
        self,
        counter: type[_RedisCounter] | None,
        windows: list[Window],
        keys: list[str],
        now: float,
        lease: tuple[tuple, tuple[int, ...]] | None = None,
        handed_back: list[int] | None = None,
    ):
        self.counter, self.windows, self.keys, self.now, self.lease = counter, windows, keys, now, lease
        self.handed_back = handed_back or [0] * len(windows)
        self.result: float | None = None
        self.sent = False
        if counter is None:
            return
        try:
            _throttle_connection.get(counter).send_command(
                "EVALSHA", counter.lease.sha, len(keys), *keys, *self._args()
            )
        except redis.RedisError as exc:
            _throttle_connection.drop()
            _let_through(exc)
            return
        self.sent = True

    def _args(self) -> list[int]:
        """LEASE_SCRIPT's ARGV: the counts wanted, then limit, seconds and counts handed back per window."""
        args = [lease_size(self.windows)]
        for window, back in zip(self.windows, self.handed_back, strict=True):
            args += [window.limit, window.seconds, back]
        return args

    @classmethod
    def answered(cls, result: float | None) -> PendingHit:
        """A count already taken (one in hand, the cache fallback, or no rate configured)."""
        pending = cls(None, [], [], 0.0)
        pending.result = result
        return pending

    def wait(self) -> float | None:
        if not self.sent:
            return self.result
        self.sent = False
        try:
            taken, *full = _throttle_connection.get(self.counter).read_response()
        except redis.exceptions.NoScriptError:  # Redis restarted or flushed its scripts
            try:
                taken, *full = self.counter.lease(keys=self.keys, args=self._args())
            except redis.RedisError as exc:
                _let_through(exc)
                return None
        except redis.RedisError as exc:
            _throttle_connection.drop()
            _let_through(exc)
            return None
        if taken and self.lease is not None:
            _leases.keep(*self.lease, int(taken) - 1)  # this push uses one of them
        self.result = None if taken else _wait(_full_windows(self.windows, full), self.now)
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
