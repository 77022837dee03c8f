"""The machine's servers for tests that need them: used when they run, required in CI.

Tests talk to the machine's Redis whenever one listens (CI sets ``REDIS_URL`` and
``VISLIVIS_REQUIRE_SERVICES=1``). On a laptop without one they get an embedded ``redis-server``
of their own (``tests.embedded_redis``), so they run everywhere; with
``VISLIVIS_REQUIRE_SERVICES=1`` a missing server fails them instead.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from tests import embedded_redis
from tests.production.services import port_open

# A database of its own when REDIS_URL is unset: these tests clear what they use.
LOCAL_REDIS = "redis://127.0.0.1:6379/14"


def redis_url() -> str:
    """``REDIS_URL`` (or the local Redis) when it answers; else this process's embedded server,
    or a failure when services are required."""
    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    parsed = urlparse(url)
    if port_open(parsed.port or 6379, parsed.hostname or "127.0.0.1"):
        return url
    if os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"VISLIVIS_REQUIRE_SERVICES=1 but Redis at {url} is not reachable")
    return embedded_redis.url()


def database_url() -> str:
    """The URL of this process's test database, for a subprocess to use it too (needs ``db``)."""
    from django.db import connection

    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
