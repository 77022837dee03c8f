"""tests.embedded_redis: the Redis a laptop without one gets, as CI's machine never uses it."""

from __future__ import annotations

from urllib.parse import urlparse

import redis

from tests import embedded_redis
from tests.production.services import port_open


def test_the_embedded_server_runs_the_scripts_and_commands_the_suite_relies_on():
    url = embedded_redis.url()
    assert embedded_redis.url() == url  # one server per process
    client = redis.Redis.from_url(url)
    assert client.info()["redis_version"].startswith("6.2")
    assert client.eval("return redis.call('INCR', KEYS[1])", 1, "counter") == 1
    client.zadd("queue", {"a": 1})
    assert client.bzpopmin("queue", timeout=1)[1] == b"a"  # what channels-redis receives with
    parsed = urlparse(url)
    assert parsed.hostname == "127.0.0.1" and port_open(parsed.port)
