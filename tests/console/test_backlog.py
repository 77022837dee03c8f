"""The console shows the camera backlog (issue 17): how many documents wait for the applier and
how old the oldest is, on the received documents' list and the console's index, in the user's
scope (brand B's side of it: tests/security/test_console_backlog.py), in the brand's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from devices.admin_backlog import age_text
from devices.models import ReceivedDocument
from stores.models import Role
from tests.factories import StoreFactory, TenantFactory, make_member

LANGUAGES = ["tr", "zh-hant"]
CHANGELIST = "/admin/devices/receiveddocument/"


def document(store, seconds_ago: float, outcome: str = "pending") -> ReceivedDocument:
    return ReceivedDocument.objects.create(
        store=store,
        device_key="door-1",
        kind="RTMetrics",
        body=b"<RTMetrics/>",
        size=12,
        received_at=timezone.now() - timedelta(seconds=seconds_ago),
        outcome=outcome,
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panel(html: str) -> str:
    found = re.search(r'<div class="module camera-backlog[^"]*" id="camera-backlog".*?</div>', html, re.S)
    assert found, "no camera backlog panel on the page"
    return found.group(0)


def pending_attr(html: str) -> int:
    return int(re.search(r'data-pending="(\d+)"', panel(html)).group(1))


@pytest.fixture
def settings_60(settings):
    settings.DEVICES_APPLY_LAG_WARN_SECONDS = 60


@pytest.mark.django_db
@pytest.mark.parametrize("url", [CHANGELIST, "/admin/"])
def test_brand_admin_sees_their_pending_documents_and_the_oldest_ones_age(url, store_a, brand_admin_a, settings_60):
    document(store_a, 5)
    document(store_a, 125)
    document(store_a, 999, outcome="accepted")
    html = logged_in(brand_admin_a).get(url).content.decode()
    shown = panel(html)
    assert pending_attr(html) == 2
    assert "2 documents wait; the oldest arrived 2 min 5 s ago" in shown
    assert "(Europe/Istanbul)" in shown  # the oldest one's receive time in its store's zone
    assert "Your brand&#x27;s stores." in shown
    assert f'href="{CHANGELIST}?outcome__exact=pending"' in shown
    assert "camera-backlog--lagging" in shown and "More than 60 s behind" in shown


@pytest.mark.django_db
def test_nothing_pending_says_so_without_a_warning(store_a, brand_admin_a, settings_60):
    document(store_a, 3000, outcome="accepted")
    shown = panel(logged_in(brand_admin_a).get("/admin/").content.decode())
    assert "None: every camera document received so far is applied." in shown
    assert "lagging" not in shown and "outcome__exact=pending" not in shown


@pytest.mark.django_db
def test_a_young_backlog_is_not_marked(store_a, brand_admin_a, settings_60):
    document(store_a, 1)
    shown = panel(logged_in(brand_admin_a).get(CHANGELIST).content.decode())
    assert (
        "1 document waits; the oldest arrived 1 s ago" in shown
        or "1 document waits; the oldest arrived 2 s ago" in shown
    )
    assert "camera-backlog--lagging" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("url", [CHANGELIST, "/admin/", "/operator/", "/operator/devices/receiveddocument/"])
def test_the_operator_sees_every_brands_figure(url, store_a, store_b, operator, settings_60):
    document(store_a, 10)
    document(store_b, 20)
    document(store_b, 30)
    html = logged_in(operator).get(url).content.decode()
    assert pending_attr(html) == 3
    assert "Every brand&#x27;s stores." in panel(html)
    if url.startswith("/operator/"):
        assert 'href="/operator/devices/receiveddocument/?outcome__exact=pending"' in panel(html)


@pytest.mark.django_db
def test_a_turkish_brand_reads_the_panel_in_turkish(settings_60):
    tenant = TenantFactory(name="Koton", language="tr")
    store = StoreFactory(tenant=tenant, name="Kadıköy", code="koton-kadikoy", timezone="Europe/Istanbul")
    document(store, 4000)
    client = logged_in(make_member(tenant, Role.BRAND_ADMIN, [], username="owner-koton").user)
    shown = panel(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Uygulanmayı bekleyen kamera belgeleri" in shown
    assert "1 belge bekliyor; en eskisi 1 sa 6 dk önce geldi" in shown
    assert "Markanızın mağazaları." in shown and "60 sn&#x27;den fazla geride" in shown
    assert "documents wait" not in shown and "behind" not in shown


def test_age_is_as_precise_as_an_operator_needs():
    assert [age_text(s) for s in (0, 59.9, 60, 3599, 3600, 86399, 90000)] == [
        "0 s",
        "59 s",
        "1 min 0 s",
        "59 min 59 s",
        "1 h 0 min",
        "23 h 59 min",
        "1 d 1 h",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_backlog_text_is_translated(language, rf, store_a, operator, brand_admin_a, settings_60):
    """Every text the panel can show, rendered in English and in ``language``: none may stay English."""
    from devices.admin_backlog import backlog_panel
    from vislivis.console import brand_site

    documents_admin = brand_site._registry[ReceivedDocument]

    def texts(user) -> list[str]:
        request = rf.get("/admin/")
        request.user = user
        shown = backlog_panel(request, documents_admin)
        return [shown[key] for key in ("title", "summary", "scope", "warning", "link") if shown[key]]

    def both(user) -> list[tuple[str, str]]:
        with translation.override("en"):
            english = texts(user)
        with translation.override(language):
            translated = texts(user)
        return list(zip(english, translated, strict=True))

    pairs = both(brand_admin_a)  # nothing pending: the "none" text
    document(store_a, 500)
    pairs += both(brand_admin_a) + both(operator)  # one document (singular), lagging, both scopes
    document(store_a, 10)
    pairs += both(operator)  # plural
    for seconds in (5, 65, 3700, 90000):
        with translation.override("en"):
            english = age_text(seconds)
        with translation.override(language):
            pairs.append((english, age_text(seconds)))
    assert len(pairs) >= 20
    assert [english for english, translated in pairs if english == translated] == []
