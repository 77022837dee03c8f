"""The console's camera backlog (pending documents, the oldest one's age) is counted in the
user's scope: brand A's admin never sees brand B's pending count, age or documents, and the
other way round; only a platform operator gets the every-brand figure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from devices.models import ReceivedDocument
from tests.security.console_world import brand_admin_b, logged_in

PAGES = ["/admin/", "/admin/devices/receiveddocument/"]


def pending(store, seconds_ago: float, key: str) -> ReceivedDocument:
    return ReceivedDocument.objects.create(
        store=store,
        device_key=key,
        kind="Metrics",
        body=b"<Metrics/>",
        size=10,
        received_at=timezone.now() - timedelta(seconds=seconds_ago),
        outcome="pending",
    )


def backlog_shown(html: str) -> tuple[int, str]:
    found = re.search(
        r'<div class="module camera-backlog[^"]*" id="camera-backlog"\s+data-pending="(\d+)".*?</div>', html, re.S
    )
    assert found, "no camera backlog panel"
    return int(found.group(1)), found.group(0)


@pytest.fixture
def backlogs(store_a, store_b, settings):
    settings.DEVICES_APPLY_LAG_WARN_SECONDS = 60
    # A: two young documents. B: five, the oldest two hours old (B is lagging, A is not).
    for seconds in (3, 4):
        pending(store_a, seconds, "boyner-door")
    for seconds in (5, 6, 7, 8, 7200):
        pending(store_b, seconds, "rival-door")


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_brand_a_sees_only_its_own_backlog(url, backlogs, brand_admin_a):
    count, shown = backlog_shown(logged_in(brand_admin_a).get(url).content.decode())
    assert count == 2
    assert "2 documents wait" in shown
    assert "2 h" not in shown and "America/New_York" not in shown  # B's oldest: its age and its store's zone
    assert "lagging" not in shown and "behind" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_brand_b_sees_only_its_own_backlog(url, backlogs, tenant_b):
    html = logged_in(brand_admin_b(tenant_b)).get(url).content.decode()
    count, shown = backlog_shown(html)
    assert count == 5
    assert "5 documents wait; the oldest arrived 2 h 0 min ago" in shown
    assert "(America/New_York)" in shown and "Europe/Istanbul" not in shown
    assert "camera-backlog--lagging" in shown
    assert "boyner" not in html.lower()


@pytest.mark.django_db
def test_the_pending_list_behind_the_link_is_scoped_too(backlogs, brand_admin_a):
    html = logged_in(brand_admin_a).get("/admin/devices/receiveddocument/?outcome__exact=pending").content.decode()
    assert html.count("boyner-door") >= 2
    assert "rival-door" not in html


@pytest.mark.django_db
def test_a_member_without_a_brand_counts_nothing(backlogs, rf):
    from django.contrib.auth.models import AnonymousUser

    from devices.admin_backlog import backlog_panel
    from tests.factories import UserFactory
    from vislivis.console import brand_site

    documents_admin = brand_site._registry[ReceivedDocument]
    for user in (UserFactory(username="staff-without-brand", is_staff=True), AnonymousUser()):
        request = rf.get("/admin/")
        request.user = user
        assert backlog_panel(request, documents_admin)["pending"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PAGES, "/operator/", "/operator/devices/receiveddocument/"])
def test_the_operator_sees_the_sum_of_every_brand(url, backlogs, operator):
    count, shown = backlog_shown(logged_in(operator).get(url).content.decode())
    assert count == 7
    assert "2 h 0 min ago" in shown and "camera-backlog--lagging" in shown
