"""The machine's servers for tests that need them: used when they run, required in CI.

Tests talk to the real Redis whenever one listens (CI sets ``REDIS_URL`` and
``VISLIVIS_REQUIRE_SERVICES=1``); on a laptop without it they are skipped, and with
``VISLIVIS_REQUIRE_SERVICES=1`` a missing server fails them instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

# A database of its own when REDIS_URL is unset: these tests clear what they use.
LOCAL_REDIS = "redis://127.0.0.1:6379/14"


def redis_url() -> str:
    """``REDIS_URL`` (or the local Redis) when it answers; skip, or fail when services are required."""
    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1).close()
    except OSError:
        if os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"VISLIVIS_REQUIRE_SERVICES=1 but Redis at {url} is not reachable")
        pytest.skip(f"no Redis at {url}")
    return url


def database_url() -> str:
    """The URL of this process's test database, for a subprocess to use it too (needs ``db``)."""
    from django.db import connection

    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
