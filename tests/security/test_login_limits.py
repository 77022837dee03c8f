"""Login limits, tried as an attacker would, on every login surface and on the real Redis.

The defaults are the production ones (10 failures per (address, username), 100 per address, in
15-minute windows). Clocks are frozen at a window start so nothing depends on the machine's speed.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.test import RequestFactory
from freezegun import freeze_time

from stores import login_limits
from tests.factories import PASSWORD
from tests.security.login_surfaces import SURFACES, attempt, outcome, tries
from tests.services import redis_url

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a multiple of the 15-minute window
ATTACKER, STORE = "203.0.113.9", "198.51.100.20"


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """The login counters on the per-process LocMem cache and on the machine's real Redis."""
    from django.core.cache import cache

    if request.param == "redis":
        # A key prefix of this test's own: xdist workers share the machine's Redis database, and a
        # flush (cache.clear) by one would wipe the counters another test is counting.
        prefix = f"login-limits-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {"BACKEND": "vislivis.cache.ReusingRedisCache", "LOCATION": redis_url(), "KEY_PREFIX": prefix}
        }
        yield request.param
        server = redis.Redis.from_url(redis_url())
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        return
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def accounts(brand_admin_a, viewer_a, sender_a):
    """The account each surface logs in with: the admin for the console, a viewer, a sender."""
    return {
        "admin": brand_admin_a.username,
        "dashboard": viewer_a.username,
        "token": sender_a.username,
        "basic": sender_a.username,
        "body": sender_a.username,
    }


@pytest.mark.parametrize("surface", SURFACES)
def test_fifty_wrong_passwords_then_the_right_one_is_refused(surface, accounts, cache_backend, settings):
    username = accounts[surface]
    with freeze_time(START) as clock:
        assert tries(surface, username, "guess", 50, ATTACKER) == ["refused"] * 10 + ["locked"] * 40
        # A minute on (the token view's per-address request throttle has its own 60 s window).
        clock.tick(timedelta(seconds=61))
        locked = attempt(surface, username, PASSWORD, ATTACKER)
        assert outcome(surface, locked) == "locked"
        assert locked["Retry-After"] == str(settings.AUTH_FAILURE_WINDOW_SECONDS - 61)
        # The real user at its own address is not locked out by the attacker.
        assert outcome(surface, attempt(surface, username, PASSWORD, STORE)) == "ok"


@pytest.mark.parametrize("surface", ["dashboard", "basic"])
def test_locked_out_attempts_are_counted_nowhere(surface, accounts, viewer_b, settings):
    """Forty refused attempts neither extend the lock nor count against the address."""
    username = accounts[surface]
    with freeze_time(START) as clock:
        tries(surface, username, "guess", 50, ATTACKER)
        # Another account behind the same address still logs in: the address holds 10, not 50.
        assert outcome("dashboard", attempt("dashboard", viewer_b.username, PASSWORD, ATTACKER)) == "ok"
        clock.tick(timedelta(seconds=settings.AUTH_FAILURE_WINDOW_SECONDS))
        assert outcome(surface, attempt(surface, username, PASSWORD, ATTACKER)) == "ok"


def test_one_mechanism_across_surfaces(accounts):
    """Guesses on the console's form count for the API as well: no surface is a side door."""
    with freeze_time(START):
        assert tries("admin", accounts["basic"], "guess", 10, ATTACKER) == ["refused"] * 10
        assert outcome("basic", attempt("basic", accounts["basic"], PASSWORD, ATTACKER)) == "locked"
        assert outcome("token", attempt("token", accounts["token"], PASSWORD, ATTACKER)) == "locked"


@pytest.mark.parametrize("surface", ["dashboard", "token"])
def test_a_successful_login_is_not_counted(surface, accounts):
    """Counted before the check, taken back when right: 9 typos, a login, then one more typo."""
    username = accounts[surface]
    with freeze_time(START):
        assert tries(surface, username, "guess", 9, STORE) == ["refused"] * 9
        assert tries(surface, username, PASSWORD, 5, STORE) == ["ok"] * 5
        assert tries(surface, username, "guess", 2, STORE) == ["refused", "locked"]


@pytest.mark.parametrize("surface", ["dashboard", "basic"])
def test_spraying_many_usernames_from_one_address_is_stopped(surface, accounts, cache_backend):
    with freeze_time(START):
        outcomes = [outcome(surface, attempt(surface, f"user{n}", "Summer2026!", ATTACKER)) for n in range(130)]
        assert outcomes == ["refused"] * 100 + ["locked"] * 30
        assert outcome(surface, attempt(surface, accounts[surface], PASSWORD, ATTACKER)) == "locked"
        assert outcome(surface, attempt(surface, accounts[surface], PASSWORD, STORE)) == "ok"


@pytest.mark.parametrize("surface", ["admin", "token"])
def test_forged_forwarded_for_cannot_rotate_addresses_without_a_proxy(surface, accounts, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    username = accounts[surface]
    with freeze_time(START):
        outcomes = [
            outcome(surface, attempt(surface, username, "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1"))
            for n in range(20)
        ]
        assert outcomes == ["refused"] * 10 + ["locked"] * 10
        forged = {"HTTP_X_FORWARDED_FOR": STORE, "HTTP_X_REAL_IP": STORE, "HTTP_FORWARDED": f"for={STORE}"}
        assert outcome(surface, attempt(surface, username, PASSWORD, ATTACKER, **forged)) == "locked"
        assert outcome(surface, attempt(surface, username, PASSWORD, STORE)) == "ok"


@pytest.mark.parametrize("surface", ["dashboard", "basic"])
def test_behind_one_proxy_only_the_proxys_entry_counts(surface, accounts, settings):
    """Behind nginx every request comes from the proxy; the client's own entries are ignored."""
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = "172.18.0.5"
    username = accounts[surface]
    with freeze_time(START):
        outcomes = [
            outcome(
                surface,
                attempt(surface, username, "guess", proxy, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, {STORE}, {ATTACKER}"),
            )
            for n in range(20)
        ]
        assert outcomes == ["refused"] * 10 + ["locked"] * 10
        # Another client through the same proxy is not locked out, though REMOTE_ADDR is the same.
        assert outcome(surface, attempt(surface, username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=STORE)) == "ok"
        # Claiming to be that client does not help the attacker: the proxy appended its real address.
        claim = {"HTTP_X_FORWARDED_FOR": f"{STORE}, {ATTACKER}"}
        assert outcome(surface, attempt(surface, username, PASSWORD, proxy, **claim)) == "locked"


def test_parallel_guesses_cannot_pass_the_limit(cache_backend, settings):
    """Counted before the password is checked: 40 simultaneous attempts, exactly 10 get through."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=ATTACKER)
    results: list[bool] = []
    barrier = threading.Barrier(40)

    def guess() -> None:
        barrier.wait()
        results.append(login_limits.begin(request, "owner-a").refused)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(False) == settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT
    assert results.count(True) == 40 - settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT
