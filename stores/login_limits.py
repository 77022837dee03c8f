"""Failed-login limits, one mechanism for every login surface (admin, dashboard, token, Basic).

Two counters of failed logins, in fixed windows of ``AUTH_FAILURE_WINDOW_SECONDS``:

- per (client address, username), ``AUTH_FAILURE_LIMIT_PER_ACCOUNT``: stops guessing one
  account's password;
- per client address, ``AUTH_FAILURE_LIMIT_PER_ADDRESS``: stops one client spraying many
  usernames.

There is deliberately no counter per username alone: that would let anybody, anywhere, lock a
brand admin out by failing on purpose. An attacker at another address fills only its own
counters. The address is :func:`vislivis.client_address.client_ip` (the trusted proxy hop, never
a header the client chose). An attempt beyond a limit is refused *before* the password is
looked at, so during a lock-out the right password is refused too (no oracle for guesses), and
a refused attempt is counted nowhere: a locked-out script cannot extend its own lock-out, and a
locked (address, username) adds at most ``PER_ACCOUNT`` to its address's counter. So an address
is shut only after ``PER_ADDRESS / PER_ACCOUNT`` different usernames failed there (10 with the
defaults) - several misconfigured sender PCs behind one store's NAT stay below that.

Counting is "reserve, then release": every attempt is counted first (atomically, with the
throttles' fixed-window counters: one Lua round trip on Redis, ``add``/``incr`` on LocMem) and
the count is taken back when the password was right. Parallel guesses therefore cannot slip
past the limit between a check and a count.

Where it is enforced: :class:`stores.backends.MembershipModelBackend` calls :func:`begin` on
every ``django.contrib.auth.authenticate`` - the admin's and the dashboard's login forms, the
token view and the API's Basic/body credentials all go through it, and so does any login view
added later. A refused attempt marks the request; :class:`LoginLockoutMiddleware` turns an
HTML login page into a 429 page saying so, and the API raises DRF's ``Throttled`` (429 with
``Retry-After``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vislivis import throttles
from vislivis.client_address import client_ip

# The attribute a refused attempt leaves on the (Django) request: seconds until it may retry.
LOCKOUT_ATTR = "login_lockout_wait"


def _digest(text: str) -> str:
    # surrogatepass: a lone surrogate from a JSON body must not crash the key (it fails to log in).
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _django_request(request) -> HttpRequest | None:
    """The Django request under a DRF ``Request`` (attributes set on the wrapper stay on it)."""
    return getattr(request, "_request", request)


def windows(request, username: str) -> list[tuple[throttles.Window, str]]:
    """The two counters of this attempt: (window, identity) pairs for :mod:`vislivis.throttles`."""
    seconds = settings.AUTH_FAILURE_WINDOW_SECONDS
    address = (client_ip(request) if request is not None else "") or "-"
    account = username.strip().casefold()[:150]
    return [
        (
            throttles.Window("login-fail-pair", settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT, seconds),
            _digest(f"{address}\x00{account}"),
        ),
        (throttles.Window("login-fail-addr", settings.AUTH_FAILURE_LIMIT_PER_ADDRESS, seconds), _digest(address)),
    ]


@dataclass
class Attempt:
    """One counted login attempt; :meth:`succeeded` takes its counts back."""

    entries: list[tuple[throttles.Window, str]]
    started: float
    refused_for: float | None = None

    @property
    def refused(self) -> bool:
        return self.refused_for is not None

    def succeeded(self) -> None:
        if not self.refused:
            throttles.take_back(self.entries, self.started)


def begin(request, username: str) -> Attempt:
    """Count an attempt for ``username`` from this request's client, or refuse it (not counted).

    A refused attempt also marks the request (``LOCKOUT_ATTR``) for the page or API reply.
    """
    now = time.time()
    entries = windows(request, username)
    wait = throttles.hit_windows(entries, now)
    attempt = Attempt(entries, now, wait)
    django_request = _django_request(request)
    if wait is not None and django_request is not None:
        setattr(django_request, LOCKOUT_ATTR, wait)
    return attempt


def locked_for(request, username: str, also: Sequence[str] = ()) -> tuple[float | None, dict]:
    """Seconds this client must still wait for ``username`` (``None``: not locked). Reads only.

    ``also``: more cache keys to read in the same round trip; their values come back as a dict.
    """
    now = time.time()
    entries = windows(request, username)
    keys = [throttles.counter_key(window, identity, now) for window, identity in entries]
    found = cache.get_many([*keys, *also])
    full = [window for (window, _), key in zip(entries, keys, strict=True) if (found.get(key) or 0) >= window.limit]
    extra = {key: found[key] for key in also if key in found}
    if not full:
        return None, extra
    return max(throttles.seconds_left(window, now) for window in full), extra


def lockout_wait(request) -> float | None:
    """The wait a refused attempt left on this request, if any."""
    django_request = _django_request(request)
    return getattr(django_request, LOCKOUT_ATTR, None) if django_request is not None else None


def lockout_response(request: HttpRequest, wait: float) -> HttpResponse:
    """429 with ``Retry-After``: a page for browsers, the API's error shape for JSON clients."""
    seconds = max(1, math.ceil(wait))
    message = _("Too many failed logins from your address. Try again in %(minutes)d minute(s).") % {
        "minutes": math.ceil(seconds / 60)
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"errors": {"detail": [message]}}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LoginLockoutMiddleware:
    """A login refused by the limits (on any form that calls ``authenticate``) answers 429.

    Without it the form would say "wrong password" - untrue, and no hint to wait. Responses
    already 429 (the API raised ``Throttled`` itself) pass unchanged.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        wait = getattr(request, LOCKOUT_ATTR, None)
        if wait is None or response.status_code == 429:
            return response
        return lockout_response(request, wait)
