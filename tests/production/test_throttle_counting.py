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
        assert cache.get(key) == 1
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
