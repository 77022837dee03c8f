"""The Redis cache backend reuses one redis-py client per pool, and still behaves as a cache."""

import uuid

from tests.services import redis_url
from vislivis.cache import ReusingRedisCache


def test_one_client_per_pool_and_a_working_cache():
    cache = ReusingRedisCache(redis_url(), {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
    assert cache.add("key", 1, 30)
    assert not cache.add("key", 2, 30)
    assert cache.incr("key") == 2
    assert cache.get("key") == 2
    cache.delete("key")
    assert cache.get("key") is None
