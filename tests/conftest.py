"""Shared fixtures: two tenants with an owner (brand admin), members (sender, viewer) and an
outsider, plus API clients that authenticate the way the seed's scripts do (HTTP Basic)."""

from __future__ import annotations

import base64
import os

import pytest
from rest_framework.test import APIClient

from stores.models import Role
from tests.factories import PASSWORD, StoreFactory, TenantFactory, UserFactory, make_member
from tests.live_server import asgi_live_server  # noqa: F401 - one Daphne per session, for every folder

# Playwright's sync API runs an event loop in the test thread; Django's ORM must be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def basic_auth_header(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def _no_language_leaks():
    """A request leaves its language active in the thread (Django does not reset it): each test
    starts and ends with none, so no test's outcome depends on the one before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def eager_retries():
    """Eager tasks that propagate errors raise ``Retry`` at the caller; let Celery run retries inline."""
    from vislivis.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    """The Basic-auth cache and throttles live in the cache: no test sees another's entries
    (nor the push throttle's counts this process holds from a cache since cleared)."""
    from django.core.cache import cache

    from vislivis.throttles import forget_leases

    cache.clear()
    forget_leases()
    yield
    cache.clear()
    forget_leases()


@pytest.fixture
def tenant_a(db):
    return TenantFactory(name="Boyner")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(name="Rival Brand")


@pytest.fixture
def store_a(tenant_a):
    return StoreFactory(tenant=tenant_a, name="AVM İstanbul", code="boyner-avm", timezone="Europe/Istanbul")


@pytest.fixture
def store_a2(tenant_a):
    return StoreFactory(tenant=tenant_a, name="Ankara", code="boyner-ankara", timezone="Europe/Istanbul")


@pytest.fixture
def store_b(tenant_b):
    return StoreFactory(tenant=tenant_b, name="Rival Store", code="rival-1", timezone="America/New_York")


@pytest.fixture
def sender_a(store_a):
    return make_member(store_a.tenant, Role.SENDER, [store_a], username="boyner").user


@pytest.fixture
def viewer_a(store_a):
    return make_member(store_a.tenant, Role.VIEWER, [store_a], username="viewer-a").user


@pytest.fixture
def brand_admin_a(store_a):
    return make_member(store_a.tenant, Role.BRAND_ADMIN, [], username="owner-a").user


@pytest.fixture
def sender_b(store_b):
    return make_member(store_b.tenant, Role.SENDER, [store_b], username="rival-sender").user


@pytest.fixture
def viewer_b(store_b):
    return make_member(store_b.tenant, Role.VIEWER, [store_b], username="viewer-b").user


@pytest.fixture
def operator(db):
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def api():
    """``api(user)`` → an APIClient sending HTTP Basic for that user (``api()`` sends nothing)."""

    def make(user=None, password: str = PASSWORD) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=basic_auth_header(user.username, password))
        return client

    return make
