"""Global DRF throttles, configured once in settings so no app's view has to know about them.

Each class decides for itself whether a request is its business (``get_cache_key`` → ``None``
means "not mine, let it through"):

- ``account_burst`` / ``account``: every request of an authenticated account (sender endpoints,
  read API), keyed by the user id, so one runaway store script cannot starve the others.
- ``login``: ``POST /api/auth/token``, keyed by the username tried, because every failed
  attempt costs a full password hash.
- ``ingest_key_burst`` / ``ingest_key``: ``/api/devices/xml/<key>/``, keyed by (a digest of)
  the store's ingest key: the key is the cameras' only credential.

Rates are generous on purpose (see ``DEFAULT_THROTTLE_RATES`` in base settings): a store sends
about 20 requests an hour plus a heartbeat every 5 minutes, a camera pushes a few times a
minute, and a batch of 1,000 records is one request. A throttle is a guard against loops and
abuse, never a quota a well-behaved client can reach.
"""

from __future__ import annotations

import hashlib
import re
import time

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

INGEST_PATH = re.compile(r"^/api/devices/xml/(?P<key>[^/]+)/?$")
LOGIN_URL_NAME = "api-token"


class _LiveRateThrottle(SimpleRateThrottle):
    """Reads its rate from settings at use time (DRF binds them at import, which tests and
    ``override_settings`` cannot change)."""

    def timer(self) -> float:
        # Looked up at call time (DRF binds ``time.time`` at import), so tests can move the clock.
        return time.time()

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AccountBurstThrottle(_LiveRateThrottle):
    """Per authenticated account, short window."""

    scope = "account_burst"

    def get_cache_key(self, request: Request, view) -> str | None:
        user = request.user
        if user is None or not user.is_authenticated:
            return None
        return self.key(str(user.pk))


class AccountThrottle(AccountBurstThrottle):
    """Per authenticated account, hourly window."""

    scope = "account"


class LoginThrottle(_LiveRateThrottle):
    """Per username tried on the token endpoint; a missing or odd username shares one bucket."""

    scope = "login"

    def get_cache_key(self, request: Request, view) -> str | None:
        match = getattr(request._request, "resolver_match", None)
        if match is None or match.url_name != LOGIN_URL_NAME or request.method != "POST":
            return None
        data = request.data  # a malformed body raises ParseError: the same 400 the view would give
        username = data.get("username") if isinstance(data, dict) else None
        ident = username.strip().lower()[:150] if isinstance(username, str) else "<none>"
        return self.key(hashlib.sha256(ident.encode()).hexdigest())


class IngestKeyBurstThrottle(_LiveRateThrottle):
    """Per store ingest key of the camera XML endpoint, short window."""

    scope = "ingest_key_burst"

    def get_cache_key(self, request: Request, view) -> str | None:
        match = INGEST_PATH.match(request.path)
        if match is None:
            return None
        # The key is a credential: keep only a digest of it in the cache.
        return self.key(hashlib.sha256(match["key"].encode()).hexdigest())


class IngestKeyThrottle(IngestKeyBurstThrottle):
    """Per store ingest key, hourly window."""

    scope = "ingest_key"


THROTTLE_CLASSES = [
    "vislivis.throttles.LoginThrottle",
    "vislivis.throttles.AccountBurstThrottle",
    "vislivis.throttles.AccountThrottle",
    "vislivis.throttles.IngestKeyBurstThrottle",
    "vislivis.throttles.IngestKeyThrottle",
]
