"""Fixed-window counting of the throttles, on the Django cache and on the real Redis.

Every test runs twice: on a LocMem cache (the embedded default) and on Redis
through the Lua script (the machine's Redis: ``tests.services.redis_url``).
Times are explicit (``now=``) or frozen, so nothing depends on the machine's speed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from tests.conftest import basic_auth_header
from tests.devices.test_ingest_api_replies import limit_ingest_rate
from tests.services import redis_url
from vislivis import throttles

HOUR_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
HEARTBEAT = "/api/health/heartbeat"


@pytest.fixture(params=["cache", "redis"])
def backend(request, settings):
    """The default cache as LocMem or as the real Redis; the rates of the tests below."""
    if request.param == "redis":
        settings.CACHES = {"default": {"BACKEND": throttles.REDIS_CACHE_BACKENDS[-1], "LOCATION": redis_url()}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "account_burst": "3/min",
            "account": "5/hour",
        },
    }
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


def hits(count: int, now: float, identity: str = "id:1") -> list[float | None]:
    return [throttles.hit(identity, throttles.ACCOUNT_SCOPES, now=now) for _ in range(count)]


def test_exactly_the_rate_passes_in_a_window(backend):
    assert hits(3, HOUR_START) == [None, None, None]
    assert hits(2, HOUR_START + 10) == [50, 50]  # refused until the minute ends
    assert hits(1, HOUR_START + 10, identity="id:2") == [None]  # another account has its own counters


def test_the_path_in_use_is_the_one_configured(backend):
    assert (throttles._RedisCounter.get() is not None) == (backend == "redis")


def test_refused_requests_are_not_counted(backend):
    """A loop refused all minute long has used 3 of its 5 an hour, not 62 (DRF's rule too)."""
    hits(3, HOUR_START)
    for second in range(1, 60):
        assert hits(1, HOUR_START + second) == [60 - second]
    assert hits(3, HOUR_START + 60) == [None, None, 3540]


def test_window_rollover_and_both_windows_count(backend):
    """3 a minute and 5 an hour: the hourly window refuses once five passed, until the hour ends."""
    assert hits(3, HOUR_START + 30) == [None, None, None]
    assert hits(1, HOUR_START + 59) == [1]  # burst window full, one second left
    assert hits(3, HOUR_START + 60) == [None, None, 3600 - 60]  # new minute, but the hour holds 5
    assert hits(1, HOUR_START + 1800) == [1800]
    assert hits(1, HOUR_START + 3600) == [None]  # a new hour: both windows are fresh


def test_counters_live_in_the_default_cache_under_a_digest(backend):
    from django.core.cache import cache

    assert throttles.ingest_key_wait("secret-key-123") is None
    window = throttles.windows_of(throttles.INGEST_KEY_SCOPES)[0]
    with freeze_time(datetime.fromtimestamp(HOUR_START, UTC)):
        assert throttles.ingest_key_wait("secret-key-123") is None
        key = throttles.counter_key(window, f"key:{throttles.digest('secret-key-123')}", HOUR_START)
        # On Redis a push takes a lease of counts at once (one used, the rest held by this process).
        windows = throttles.windows_of(throttles.INGEST_KEY_SCOPES)
        assert cache.get(key) == (throttles.lease_size(windows) if backend == "redis" else 1)
        assert "secret-key-123" not in key


def test_429_through_the_api_has_retry_after_to_the_window_end(backend, api, sender_a):
    client = api(sender_a)
    with freeze_time(datetime.fromtimestamp(HOUR_START + 15, UTC)) as clock:
        assert [client.post(HEARTBEAT).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.post(HEARTBEAT)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert refused.json() == {"errors": {"detail": ["Request was throttled. Expected available in 45 seconds."]}}
        clock.tick(timedelta(seconds=45))
        assert client.post(HEARTBEAT).status_code == 200


def test_basic_auth_header_is_counted_per_account(backend, client, sender_a):
    """Plain Django test client, Basic header: the account is the identity, not the address."""
    header = {"HTTP_AUTHORIZATION": basic_auth_header(sender_a.username)}
    with freeze_time(datetime.fromtimestamp(HOUR_START, UTC)):
        codes = [client.post(HEARTBEAT, "", content_type="application/json", **header).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_redis_unreachable_lets_the_request_through(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": throttles.REDIS_CACHE_BACKENDS[-1], "LOCATION": "redis://127.0.0.1:1/0"}}
    assert throttles.hit("id:1", throttles.ACCOUNT_SCOPES, now=HOUR_START) is None
    assert "Throttle counters unavailable" in caplog.text


# The camera push sends its count ahead and reads the answer after parsing (PendingHit).
def test_a_count_sent_ahead_answers_as_hit_does(backend, settings):
    limit_ingest_rate(settings, "2/min")
    with freeze_time(datetime.fromtimestamp(HOUR_START + 20, UTC)):
        pending = [throttles.send_ingest_key_hit("camera-key-1") for _ in range(3)]
        # Sent in a row on one connection, read in the same order: each its own answer.
        assert [hit.wait() for hit in pending] == [None, None, 40]
        assert throttles.send_ingest_key_hit("camera-key-2").wait() is None  # its own counters


def test_an_unread_answer_is_never_read_by_the_next_count(backend, settings):
    """A push that failed between send and read leaves a reply on the line: it is dropped,
    not taken for the next push's answer (which would let a refused push through)."""
    limit_ingest_rate(settings, "1/min")
    with freeze_time(datetime.fromtimestamp(HOUR_START, UTC)):
        abandoned = throttles.send_ingest_key_hit("camera-key-3")
        abandoned.close()  # counted by Redis, answer never read
        assert throttles.send_ingest_key_hit("camera-key-3").wait() == 60


def test_a_flushed_script_is_loaded_again(settings):
    import redis

    settings.CACHES = {"default": {"BACKEND": throttles.REDIS_CACHE_BACKENDS[-1], "LOCATION": redis_url()}}
    limit_ingest_rate(settings, "1/min")
    from django.core.cache import cache

    cache.clear()
    redis.Redis.from_url(redis_url()).script_flush()  # as after a Redis restart
    with freeze_time(datetime.fromtimestamp(HOUR_START, UTC)):
        assert throttles.send_ingest_key_hit("camera-key-4").wait() is None
        assert throttles.send_ingest_key_hit("camera-key-4").wait() == 60


def test_redis_unreachable_lets_a_push_through(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": throttles.REDIS_CACHE_BACKENDS[-1], "LOCATION": "redis://127.0.0.1:1/0"}}
    hit = throttles.send_ingest_key_hit("camera-key-5")
    assert hit.wait() is None
    hit.close()
    assert "Throttle counters unavailable" in caplog.text


def test_a_throttled_push_keeps_nothing_through_redis(backend, settings, client, store_a):
    from devices.models import ReceivedDocument
    from tests.devices.conftest import sample

    limit_ingest_rate(settings, "1/min")
    with freeze_time(datetime.fromtimestamp(HOUR_START + 30, UTC)):
        first = client.post(store_a.ingest_path, sample("diags"), content_type="text/xml")
        second = client.post(store_a.ingest_path, sample("metrics"), content_type="text/xml")
    assert (first.status_code, second.status_code) == (200, 429)
    assert second["Retry-After"] == "30"
    assert ReceivedDocument.objects.filter(store=store_a).count() == 1


# Leases: on Redis a push takes a few counts at once and counts the key's next pushes from them.
@pytest.fixture
def redis_counts(settings):
    """The real Redis as the throttle's cache, and a reader of a push window's counter there."""
    settings.CACHES = {"default": {"BACKEND": throttles.REDIS_CACHE_BACKENDS[-1], "LOCATION": redis_url()}}
    from django.core.cache import cache

    cache.clear()
    throttles.forget_leases()

    def count(ingest_key: str, scope: str, now: float) -> int:
        window = next(w for w in throttles.windows_of(throttles.INGEST_KEY_SCOPES) if w.scope == scope)
        return cache.get(throttles.counter_key(window, f"key:{throttles.digest(ingest_key)}", now)) or 0

    yield count
    cache.clear()


def push_rates(settings, burst: str, hourly: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "ingest_key_burst": burst,
            "ingest_key": hourly,
        },
    }


def push(ingest_key: str) -> float | None:
    pending = throttles.send_ingest_key_hit(ingest_key)
    try:
        return pending.wait()
    finally:
        pending.close()


def test_a_push_takes_a_lease_and_counts_the_next_ones_from_it(redis_counts, settings):
    push_rates(settings, "640/min", "64000/hour")  # a lease of 640 // 64 = 10
    with freeze_time(datetime.fromtimestamp(HOUR_START + 5, UTC)):
        assert push("lease-key") is None
        assert redis_counts("lease-key", "ingest_key_burst", HOUR_START) == 10
        assert [push("lease-key") for _ in range(9)] == [None] * 9
        assert redis_counts("lease-key", "ingest_key_burst", HOUR_START) == 10  # no round trip
        assert push("lease-key") is None
        assert redis_counts("lease-key", "ingest_key_burst", HOUR_START) == 20
        assert redis_counts("lease-key", "ingest_key", HOUR_START) == 20


def test_small_limits_are_counted_one_push_at_a_time(redis_counts, settings):
    push_rates(settings, "127/min", "12000/hour")  # under 2 × LEASE_DIVISOR: no lease
    with freeze_time(datetime.fromtimestamp(HOUR_START, UTC)):
        assert [push("exact-key") for _ in range(127)] == [None] * 127
        assert redis_counts("exact-key", "ingest_key_burst", HOUR_START) == 127
        assert push("exact-key") == 60


def test_never_more_than_the_limit_passes_across_processes(redis_counts, settings, monkeypatch):
    """Three processes (each its own counts in hand) share one key's 256 a minute, leases of 4:
    none passes a push the window has no count for, and only the counts others still hold when
    the window fills are refused early (at most 3 × 3)."""
    push_rates(settings, "256/min", "12000/hour")
    processes = [throttles._Leases() for _ in range(3)]
    passed = 0
    with freeze_time(datetime.fromtimestamp(HOUR_START + 1, UTC)):
        for n in range(400):
            monkeypatch.setattr(throttles, "_leases", processes[n % 3])
            if push("shared-key") is None:
                passed += 1
        assert redis_counts("shared-key", "ingest_key_burst", HOUR_START) == 256
    assert 256 - 3 * 3 <= passed <= 256


def test_counts_left_when_a_minute_ends_go_back_to_the_hour(redis_counts, settings):
    push_rates(settings, "640/min", "6400/hour")
    with freeze_time(datetime.fromtimestamp(HOUR_START + 50, UTC)) as clock:
        assert push("minute-key") is None  # 10 taken, 9 left in hand
        clock.tick(timedelta(seconds=20))  # the next minute of the same hour
        assert push("minute-key") is None  # 9 handed back to the hour, 10 taken again
    assert redis_counts("minute-key", "ingest_key", HOUR_START) == 10 - 9 + 10
    assert redis_counts("minute-key", "ingest_key_burst", HOUR_START) == 10
    assert redis_counts("minute-key", "ingest_key_burst", HOUR_START + 60) == 10


def test_a_forked_worker_does_not_use_its_parents_counts(redis_counts, settings):
    """gunicorn forks its workers: a child starts with no counts in hand, so it takes its own."""
    import os

    push_rates(settings, "640/min", "64000/hour")
    with freeze_time(datetime.fromtimestamp(HOUR_START + 5, UTC)):
        assert push("fork-key") is None  # the parent holds 9
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                push("fork-key")
                os.write(write, str(redis_counts("fork-key", "ingest_key_burst", HOUR_START)).encode())
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        os.close(write)
        assert int(os.read(read, 16)) == 20  # the child took a lease of its own
        os.close(read)
