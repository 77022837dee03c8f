"""Dashboard pages over the Django test client: login, scoping (404 for another tenant),
brand view access and sorting, bad ranges and query counts that must not grow per store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from analytics.models import HourlyCustomers, HourlyQueue
from stores.models import Cashier
from tests.factories import PASSWORD, StoreFactory

pytestmark = pytest.mark.django_db


def this_hour() -> datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def test_pages_require_login(client, store_a):
    for url in ("/dashboard/", f"/dashboard/stores/{store_a.pk}/", "/dashboard/brand/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_login_page_logs_in_to_dashboard(client, viewer_a):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post("/accounts/login/", {"username": "viewer-a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_store_list_shows_only_visible_stores_with_today(client_for, viewer_a, store_a, store_a2, store_b):
    HourlyCustomers.objects.create(store=store_a, hour=this_hour(), entered=12, exited=2)
    HourlyCustomers.objects.create(store=store_b, hour=this_hour(), entered=99, exited=0)
    response = client_for(viewer_a).get("/dashboard/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["store"].pk for row in rows] == [store_a.pk]
    assert rows[0]["sender_footfall"] == 12
    assert rows[0]["occupancy_now"] == 10
    body = response.content.decode()
    assert "Rival" not in body and "Ankara" not in body


def test_store_page_of_another_tenant_is_404(client_for, viewer_a, brand_admin_a, store_b, store_a2):
    assert client_for(viewer_a).get(f"/dashboard/stores/{store_b.pk}/").status_code == 404
    # a viewer is also refused stores of its own tenant it was not granted
    assert client_for(viewer_a).get(f"/dashboard/stores/{store_a2.pk}/").status_code == 404
    assert client_for(brand_admin_a).get(f"/dashboard/stores/{store_b.pk}/").status_code == 404
    assert client_for(brand_admin_a).get(f"/dashboard/stores/{store_a2.pk}/").status_code == 200
    for suffix in ("panels/", "export/footfall.csv"):
        response = client_for(brand_admin_a).get(f"/dashboard/stores/{store_b.pk}/{suffix}")
        assert response.status_code == 404
        assert "Rival" not in response.content.decode()


def test_store_page_shows_figures_and_previous_day(client_for, viewer_a, store_a):
    now = timezone.now()
    HourlyCustomers.objects.create(store=store_a, hour=this_hour(), entered=30, exited=10)
    HourlyCustomers.objects.create(store=store_a, hour=this_hour() - timedelta(days=1), entered=20, exited=20)
    response = client_for(viewer_a).get(f"/dashboard/stores/{store_a.pk}/")
    assert response.status_code == 200
    comparison = response.context["data"]["comparison"]["sender_footfall"]
    assert comparison == {"current": 30, "previous": 20, "change": 50.0}
    assert response.context["data"]["now"] <= timezone.now() and response.context["data"]["now"] >= now
    body = response.content.decode()
    assert 'data-kpi="sender_footfall">30<' in body
    assert "+50.0 %" in body
    assert f'"ws_path": "/ws/stores/{store_a.pk}/"' in body


def test_store_page_in_turkish_formats_numbers(client_for, viewer_a, store_a):
    HourlyCustomers.objects.create(store=store_a, hour=this_hour(), entered=12345, exited=0)
    client = client_for(viewer_a)
    client.cookies["django_language"] = "tr"
    body = client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    assert '<html lang="tr">' in body
    assert 'data-kpi="sender_footfall">12.345<' in body
    assert "Mağaza AI" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-13-01", "from"), ("from=2026-05-02&to=2026-05-01", "to"), ("from=2020-01-01&to=2026-01-01", "to")],
)
def test_bad_range_is_400_with_field(client_for, viewer_a, store_a, query, field):
    response = client_for(viewer_a).get(f"/dashboard/stores/{store_a.pk}/?{query}")
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert client_for(viewer_a).get(f"/dashboard/stores/{store_a.pk}/export/footfall.csv?{query}").status_code == 400


def test_multi_day_range_is_shown_per_day(client_for, viewer_a, store_a):
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    HourlyCustomers.objects.create(store=store_a, hour=day, entered=5, exited=1)
    HourlyCustomers.objects.create(store=store_a, hour=day + timedelta(hours=3), entered=7, exited=1)
    response = client_for(viewer_a).get(f"/dashboard/stores/{store_a.pk}/?from=2026-03-01&to=2026-03-07")
    data = response.context["data"]
    assert data["range"].granularity == "day"
    assert [(row["period"].isoformat(), row["sender_entered"]) for row in data["footfall"]] == [
        ("2026-03-02T00:00:00+03:00", 12)
    ]


def test_brand_view_is_for_brand_admins_only(client_for, viewer_a, brand_admin_a, store_a, store_a2, store_b):
    # 403 with the project's page, not a 404 (issue 18): the page exists, this account may not see it
    denied = client_for(viewer_a).get("/dashboard/brand/")
    assert denied.status_code == 403
    assert "403.html" in [t.name for t in denied.templates]
    assert "You may not see this page" in denied.content.decode()
    assert client_for(viewer_a).get("/dashboard/brand/export.csv").status_code == 403
    response = client_for(brand_admin_a).get("/dashboard/brand/")
    assert response.status_code == 200
    assert [row["store"].pk for row in response.context["rows"]] == [store_a2.pk, store_a.pk]  # Ankara, AVM
    assert "Rival" not in response.content.decode()


def test_brand_view_links_each_store_page_with_the_same_days(client_for, brand_admin_a, store_a, store_a2):
    html = client_for(brand_admin_a).get("/dashboard/brand/?from=2026-05-01&to=2026-05-31").content.decode()
    for store in (store_a, store_a2):
        assert f'href="/dashboard/stores/{store.pk}/?from=2026-05-01&amp;to=2026-05-31"' in html
    assert 'href="?from=2026-05-01&amp;to=2026-05-31&amp;sort=footfall"' in html


def test_brand_view_sorts_and_puts_missing_values_last(client_for, brand_admin_a, store_a, store_a2):
    store_c = StoreFactory(tenant=store_a.tenant, name="Bursa", code="boyner-bursa")
    HourlyCustomers.objects.create(store=store_a, hour=this_hour(), entered=10, exited=0)
    HourlyCustomers.objects.create(store=store_c, hour=this_hour(), entered=50, exited=0)
    cashier = Cashier.objects.create(store=store_a2, name="Kasa-1")
    HourlyQueue.objects.create(store=store_a2, cashier=cashier, hour=this_hour(), total_customers=4, wait_time=80)
    client = client_for(brand_admin_a)
    names = lambda query: [row["name"] for row in client.get(f"/dashboard/brand/?{query}").context["rows"]]  # noqa: E731
    assert names("sort=footfall&dir=desc") == ["Bursa", "AVM İstanbul", "Ankara"]
    assert names("sort=footfall") == ["AVM İstanbul", "Bursa", "Ankara"]
    assert names("sort=avg_wait") == ["Ankara", "AVM İstanbul", "Bursa"]
    assert names("sort=bogus") == ["Ankara", "AVM İstanbul", "Bursa"]


def test_query_counts_do_not_grow_with_stores(client_for, brand_admin_a, store_a, django_assert_max_num_queries):
    client = client_for(brand_admin_a)
    for n in range(6):
        store = StoreFactory(tenant=store_a.tenant, name=f"Extra {n}", code=f"extra-{n}")
        HourlyCustomers.objects.create(store=store, hour=this_hour(), entered=n + 1, exited=0)
    # session + user + membership, the stores, then one query per source (sender counts, camera
    # counts, device status, and waits on the brand view) per distinct time zone: never per store.
    with django_assert_max_num_queries(9):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/dashboard/brand/").status_code == 200
    # The store page reads each panel once, never per row or store: the panels' reads, the sender
    # clock, the till panel (visitors and tills of this and the previous period) and the anomaly
    # history (cameras and sender).
    with django_assert_max_num_queries(23):
        assert client.get(f"/dashboard/stores/{store_a.pk}/").status_code == 200


def test_every_page_offers_every_language_once(client_for, viewer_a, store_a):
    """The language switch lists settings.LANGUAGES on every page (not only the VisitorsFlow page)."""
    client = client_for(viewer_a)
    client.cookies["django_language"] = "zh-hant"
    for url in ("/dashboard/", f"/dashboard/stores/{store_a.pk}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        for code, name in (("en", "English"), ("tr", "Türkçe"), ("zh-hant", "繁體中文")):
            assert html.count(f'<option value="{code}"') == 1, (url, code)
            assert f">{name}</option>" in html  # each in its own language
        assert '<option value="zh-hant" lang="zh-hant" selected>' in html
