"""The Redis cache backend reuses one redis-py client per pool, and still behaves as a cache."""

import os
import uuid

import pytest

from vislivis.cache import ReusingRedisCache

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (CI sets it)")


@needs_redis
def test_one_client_per_pool_and_a_working_cache():
    cache = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
    assert cache.add("key", 1, 30)
    assert not cache.add("key", 2, 30)
    assert cache.incr("key") == 2
    assert cache.get("key") == 2
    cache.delete("key")
    assert cache.get("key") is None
