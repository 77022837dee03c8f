"""The dashboards in Debian's Chromium against Daphne: login, numbers posted through the API,
live updates without reload, the "Mağaza AI" indicator, language switch, CSV download and
another tenant's refusal (page 404, WebSocket refused). Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import requests

from stores.services import record_heartbeat
from tests.dashboard.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def this_hour() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:00")


def post(base: str, path: str, body, user: str = "boyner") -> requests.Response:
    response = requests.post(f"{base}{path}", json=body, auth=(user, PASSWORD), timeout=10)
    assert response.status_code in (200, 201), response.text
    return response


def test_login_and_numbers_posted_a_moment_earlier(asgi_live_server, page, sender_a, viewer_a, store_a):
    base = asgi_live_server
    post(
        base,
        "/api/analytics/customers",
        {"entered": 37, "exited": 5, "timestamp": this_hour(), "male_count": 20, "female_count": 17},
    )
    post(
        base,
        "/api/analytics/queues",
        {"cashier_id": "Kasa-1", "total_customers": 8, "wait_time": 95, "timestamp": this_hour()},
    )
    post(
        base,
        "/api/analytics/heatmaps",
        {"zone": "vitrin", "visitor_count": 14, "intensity": 42.5, "timestamp": this_hour()},
    )
    login(page, base, "viewer-a", PASSWORD)
    row = page.locator(f"#store-table tr[data-store='{store_a.pk}']")
    assert row.locator("[data-cell=footfall]").inner_text() == "37"
    assert row.locator("[data-cell=inside]").inner_text() == "32"
    screenshot(page, "dashboard-store-list")

    row.get_by_role("link", name="AVM İstanbul").click()
    page.wait_for_url(f"{base}/dashboard/stores/{store_a.pk}/")
    assert page.locator("[data-kpi=sender_footfall]").inner_text() == "37"
    assert page.locator("[data-kpi=occupancy_now]").inner_text() == "32"
    assert page.locator("[data-kpi=avg_wait]").inner_text() == "1 min 35 s"
    assert page.locator("#heatmap .heat__name").all_inner_texts() == ["vitrin"]
    assert page.locator("#table-queues tbody th").all_inner_texts() == ["Kasa-1"]
    page.wait_for_function("document.body.dataset.live === 'connected'")
    screenshot(page, "dashboard-store")


def test_value_posted_while_open_appears_without_reload(asgi_live_server, page, sender_a, viewer_a, store_a):
    base = asgi_live_server
    post(base, "/api/analytics/customers", {"entered": 10, "exited": 0, "timestamp": this_hour()})
    login(page, base, "viewer-a", PASSWORD)
    page.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    page.wait_for_function("document.body.dataset.live === 'connected'")
    assert page.locator("[data-kpi=sender_footfall]").inner_text() == "10"
    page.evaluate("window.__notReloaded = true")

    post(base, "/api/analytics/customers", {"entered": 25, "exited": 4, "timestamp": this_hour()})
    page.wait_for_function("document.querySelector('[data-kpi=sender_footfall]').innerText === '25'")
    assert page.locator("[data-kpi=occupancy_now]").inner_text() == "21"
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "dashboard-store-live-update")


def test_indicator_green_while_heartbeats_arrive_red_when_they_stop(
    asgi_live_server, page, sender_a, viewer_a, store_a
):
    base = asgi_live_server
    record_heartbeat(store_a, payload={}, remote_addr=None, at=datetime.now(UTC) - timedelta(minutes=30))
    login(page, base, "viewer-a", PASSWORD)
    page.clock.install()
    page.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    page.wait_for_function("document.body.dataset.live === 'connected'")
    indicator = page.locator("#ai-indicator")
    assert indicator.get_attribute("data-state") == "offline"
    assert page.locator("#ai-state-text").inner_text().startswith("offline since ")
    screenshot(page, "dashboard-ai-red-stale")

    post(base, "/api/health/heartbeat", {})
    page.wait_for_function("document.getElementById('ai-indicator').dataset.state === 'online'")
    assert "ai--on" in indicator.get_attribute("class")
    assert page.locator("#ai-state-text").inner_text() == "online"

    page.clock.fast_forward("11:00")  # the store's timeout is 10 minutes; no heartbeat since
    page.wait_for_function("document.getElementById('ai-indicator').dataset.state === 'offline'")
    assert "ai--off" in indicator.get_attribute("class")
    assert page.locator("#ai-state-text").inner_text().startswith("offline since ")
    screenshot(page, "dashboard-ai-red-after-silence")


def test_language_switch_to_turkish_with_turkish_numbers(asgi_live_server, page, sender_a, viewer_a, store_a):
    base = asgi_live_server
    post(base, "/api/analytics/customers", {"entered": 1234, "exited": 0, "timestamp": this_hour()})
    post(
        base,
        "/api/analytics/queues",
        {"cashier_id": "Kasa-1", "total_customers": 3, "wait_time": 42.5, "timestamp": this_hour()},
    )
    login(page, base, "viewer-a", PASSWORD)
    page.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#language-select", "tr")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_function("document.documentElement.lang === 'tr'")
    assert page.url == f"{base}/dashboard/stores/{store_a.pk}/"
    assert page.locator("#ai-indicator .ai__label").inner_text() == "Mağaza AI"
    assert page.locator("#kpi-footfall h2").inner_text() == "Ziyaretçi (gönderici)"
    assert page.locator("[data-kpi=sender_footfall]").inner_text() == "1.234"
    assert page.locator("[data-kpi=avg_wait]").inner_text() == "42 sn"
    screenshot(page, "dashboard-store-tr")

    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Değiştir").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("[data-kpi=sender_footfall]").inner_text() == "1,234"


def test_csv_download_contents(asgi_live_server, page, sender_a, viewer_a, store_a):
    base = asgi_live_server
    hour = this_hour()
    post(
        base,
        "/api/analytics/queues",
        [
            {"cashier_id": "Kasa-1", "total_customers": 10, "wait_time": 30, "timestamp": hour},
            {"cashier_id": "=HYPERLINK(1)", "total_customers": 5, "wait_time": 60, "timestamp": hour},
        ],
    )
    login(page, base, "viewer-a", PASSWORD)
    page.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    with page.expect_download() as info:
        page.locator("#h-queues").locator("xpath=..").get_by_role("link", name="CSV queues per cashier").click()
    download = info.value
    assert download.suggested_filename.startswith("boyner-avm_queues_")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    local_hour = datetime.fromisoformat(hour).replace(tzinfo=UTC).astimezone(store_a_tz(store_a)).isoformat()
    assert rows == [
        ["cashier", "customers", "avg_wait_seconds", "worst_hour", "worst_hour_wait_seconds"],
        ["'=HYPERLINK(1)", "5", "60.0", local_hour, "60.0"],
        ["Kasa-1", "10", "30.0", local_hour, "30.0"],
    ]


def store_a_tz(store):
    from zoneinfo import ZoneInfo

    return ZoneInfo(store.timezone)


def test_other_tenant_gets_404_and_websocket_refused(asgi_live_server, page, store_a, viewer_b, viewer_a):
    base = asgi_live_server
    login(page, base, "viewer-b", PASSWORD)
    response = page.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    assert response.status == 404
    assert "AVM" not in page.content()
    outcome = page.evaluate(
        """(path) => new Promise((resolve) => {
            const socket = new WebSocket("ws://" + location.host + path);
            socket.onopen = () => resolve("open");
            socket.onclose = (event) => resolve("closed " + event.code);
        })""",
        f"/ws/stores/{store_a.pk}/",
    )
    assert outcome == "closed 1006"  # the handshake was rejected: the socket never opened
    own = page.goto(f"{base}/dashboard/stores/{viewer_b.membership.stores.get().pk}/")
    assert own.status == 200
    page.wait_for_function("document.body.dataset.live === 'connected'")


def test_brand_view_and_phone_screen(asgi_live_server, chromium, sender_a, brand_admin_a, store_a, store_a2):
    base = asgi_live_server
    post(base, "/api/analytics/customers", {"entered": 40, "exited": 10, "timestamp": this_hour()})
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-GB")
    phone = context.new_page()
    login(phone, base, "owner-a", PASSWORD)
    phone.goto(f"{base}/dashboard/brand/?sort=footfall&dir=desc")
    names = phone.locator("#brand-table tbody th").all_inner_texts()
    assert names == ["AVM İstanbul", "Ankara"]
    screenshot(phone, "dashboard-brand-phone")
    phone.goto(f"{base}/dashboard/stores/{store_a.pk}/")
    # Nothing wider than the screen: tables scroll inside their own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    screenshot(phone, "dashboard-store-phone")
    context.close()
