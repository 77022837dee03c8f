"""Fixtures of the page-by-role suite: one world of data, one Chromium, one logged-in context
per role, all for the whole folder (a page load is ~0.2 s; a login or a data load per test
would be most of the suite's time).

Tenant A is exactly what ``manage.py demo`` builds for ``make run`` (its logins and a few days
of every app's demo data); tenant B is a second brand from the factories with the analytics
demo data, so every page is also seen by someone who must not see A.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.checks import PageProblems
from tests.dashboard.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD, StoreFactory, TenantFactory, make_member

SCREENSHOTS = ARTIFACTS / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DEMO_DAYS = 3


@dataclass(frozen=True)
class World:
    ids: dict[str, int | str]  # the page table's URL fields: store ids {a}, {a2}, {b}; {days}
    logins: dict[str, tuple[str, str]]  # role -> (username, password)


def build_world() -> World:
    from django.core.management import call_command
    from django.utils import timezone

    from analytics.demo import load
    from stores.models import Role, Store
    from visitorsflow.models import PersonEvent, Site
    from vislivis.management.commands.demo import DEMO_STORES, LOGINS, OPERATOR

    call_command("demo", "--days", str(DEMO_DAYS), stdout=io.StringIO())
    a, a2 = (Store.objects.get(code=code) for _, code in DEMO_STORES)
    if not Site.objects.filter(store=a).exists():  # until the demo brings its own VisitorsFlow site
        now = timezone.now()
        site = Site.objects.create(store=a, ssid="SS-DEMO", watch_dir="/tmp/vislivis-ss-demo", last_data_at=now)
        PersonEvent.objects.bulk_create(
            PersonEvent(site=site, person_id=n, in_out=n % 3, time=now - timedelta(minutes=n), frame_number=n)
            for n in range(12)
        )
    tenant_b = TenantFactory(name="Rival Brand")
    b = StoreFactory(tenant=tenant_b, name="Rival Store", code="rival-1", timezone="America/New_York")
    load(b, days=DEMO_DAYS)
    make_member(tenant_b, Role.VIEWER, [b], username="viewer-b")
    make_member(tenant_b, Role.BRAND_ADMIN, [], username="owner-b")
    demo = {role: (username, password) for username, password, role, _ in LOGINS}
    # The two last full days of demo data: "today" has none before the stores open (10:00).
    today = timezone.now().astimezone(ZoneInfo(a.timezone)).date()
    days = f"from={today - timedelta(days=DEMO_DAYS - 1)}&to={today - timedelta(days=1)}"
    return World(
        ids={"a": a.pk, "a2": a2.pk, "b": b.pk, "days": days},
        logins={
            "sender": demo[Role.SENDER],
            "viewer": demo[Role.VIEWER],
            "brand_admin": demo[Role.BRAND_ADMIN],
            "operator": OPERATOR,
            "viewer_b": ("viewer-b", PASSWORD),
            "brand_admin_b": ("owner-b", PASSWORD),
        },
    )


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, asgi_live_server):
    """The data, committed (the live server reads it from its own thread), removed afterwards."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        try:
            yield build_world()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package")
def chromium_session():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's 'chromium' or set CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One role's browser context and page, logged in once, with its problems collector."""

    def __init__(self, browser, base_url: str, login: tuple[str, str] | None) -> None:
        # A US-English browser: the pages must still write ISO dates (issue 18), whatever the
        # browser's own locale would do with Intl or toLocaleString.
        self.context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="America/Los_Angeles")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems = PageProblems(base_url)
        self.problems.attach(self.page)
        if login is not None:
            username, password = login
            self.page.goto(f"{base_url}/accounts/login/")
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", password)
            self.page.click("main button[type=submit]")
            self.page.wait_for_url(f"{base_url}/dashboard/")
        self.problems.take()


class Sessions:
    """One session per role, logged in on first use; ``forget`` after a test logged it out."""

    def __init__(self, browser, base_url: str, world: World) -> None:
        self.browser, self.base_url, self.world = browser, base_url, world
        self.made: dict[str, Session] = {}

    def __call__(self, role: str) -> Session:
        if role not in self.made:
            self.made[role] = Session(self.browser, self.base_url, self.world.logins.get(role))
        return self.made[role]

    def forget(self, role: str) -> None:
        self.made.pop(role).context.close()


@pytest.fixture(scope="package")
def sessions(chromium_session, world, asgi_live_server):
    """``sessions(role)``: that role's logged-in session (created on first use)."""
    made = Sessions(chromium_session, asgi_live_server, world)
    yield made
    for session in made.made.values():
        session.context.close()
