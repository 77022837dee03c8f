"""The brand view's comparison numbers against hand-computed synthetic data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.comparison import period_days
from analytics.dashboard import brand_view
from analytics.models import HourlyCustomers
from devices.models import Device, HourlyFootfall
from sales.models import HourlySales
from stores.models import Role
from tests.factories import StoreFactory, make_member

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 3)  # Monday, Tuesday


def at(day: date, local_hour: int) -> datetime:
    """Istanbul is UTC+3 all year."""
    return datetime(day.year, day.month, day.day, local_hour, tzinfo=UTC) - timedelta(hours=3)


def sale(store, moment, transactions, revenue, till=""):
    HourlySales.objects.create(
        store=store, hour=moment, till=till, transactions=transactions, revenue=Decimal(revenue), currency="TRY"
    )


def door(store, moment, entered):
    HourlyCustomers.objects.create(store=store, camera_id="kapi", hour=moment, entered=entered, exited=0)


@pytest.fixture
def brand(tenant_a):
    a = StoreFactory(tenant=tenant_a, code="a", name="Alpha", timezone="Europe/Istanbul")
    b = StoreFactory(tenant=tenant_a, code="b", name="Beta", timezone="Europe/Istanbul")
    c = StoreFactory(tenant=tenant_a, code="c", name="Gamma", timezone="Europe/Istanbul")  # no data at all
    # Alpha (sender counts): Mon 10:00 100 visitors / 20 sales; Mon 11:00 50 visitors, no till row;
    # Tue 15:00 a till row without visitors (5 sales). Conversion = 20/100 = 20.0 %.
    door(a, at(FIRST, 10), 100)
    door(a, at(FIRST, 11), 50)
    sale(a, at(FIRST, 10), 12, "600.00", till="K1")
    sale(a, at(FIRST, 10), 8, "400.00", till="K2")
    sale(a, at(LAST, 15), 5, "100.00")
    # Previous period (Sat–Sun before): 200 visitors, 30 sales in one hour → 15.0 %.
    door(a, at(date(2026, 3, 1), 12), 200)
    sale(a, at(date(2026, 3, 1), 12), 30, "900.00")
    # A year before (364 days: Mon 2025-03-03): 80 visitors, 24 sales → 30.0 %.
    door(a, at(date(2025, 3, 3), 10), 80)
    sale(a, at(date(2025, 3, 3), 10), 24, "480.00")
    # Beta (cameras: it has a device; its sender rows are ignored for visitors): Tue 10:00 40 + 60
    # enters of two devices (object type 0; type 1 ignored) and 25 sales → 25.0 %.
    d1 = Device.objects.create(store=b, device_id="d1", first_seen=NOW, last_seen=NOW)
    d2 = Device.objects.create(store=b, device_id="d2", first_seen=NOW, last_seen=NOW)
    HourlyFootfall.objects.create(store=b, device=d1, object_type=0, hour=at(LAST, 10), enters=40)
    HourlyFootfall.objects.create(store=b, device=d2, object_type=0, hour=at(LAST, 10), enters=60)
    HourlyFootfall.objects.create(store=b, device=d1, object_type=1, hour=at(LAST, 10), enters=999)
    door(b, at(LAST, 10), 500)
    sale(b, at(LAST, 10), 25, "2500.00")
    return a, b, c


def test_periods_compare_with_the_days_before_and_the_same_weekdays_a_year_before():
    days = period_days(FIRST, LAST)
    assert days["previous"] == (date(2026, 2, 28), date(2026, 3, 1))
    assert days["year"] == (date(2025, 3, 3), date(2025, 3, 4))
    assert days["year"][0].isoweekday() == FIRST.isoweekday()


def test_store_figures_changes_ranks_and_median(brand):
    a, b, c = brand
    view = brand_view([a, b, c], FIRST, LAST, NOW, sort="conversion", descending=True)
    rows = {row["name"]: row for row in view["rows"]}
    alpha, beta, gamma = rows["Alpha"], rows["Beta"], rows["Gamma"]
    assert (alpha["visitors"], alpha["transactions"], alpha["revenue"]) == (150, 25, Decimal("1100.00"))
    assert alpha["conversion"] == 20.0
    assert alpha["average_transaction_value"] == Decimal("44.00")
    assert alpha["sales_per_visitor"] == Decimal("10.00")  # 1000 / 100 (the matched hour only)
    assert (alpha["previous_visitors"], alpha["previous_conversion"]) == (200, 15.0)
    assert alpha["visitors_vs_previous"] == -25.0
    assert alpha["conversion_vs_previous"] == 5.0  # points
    assert (alpha["year_visitors"], alpha["year_conversion"]) == (80, 30.0)
    assert alpha["visitors_vs_year"] == 87.5
    assert alpha["conversion_vs_year"] == -10.0
    assert (beta["visitors"], beta["transactions"], beta["conversion"]) == (100, 25, 25.0)
    assert beta["previous_visitors"] is None and beta["conversion_vs_previous"] is None
    assert gamma["visitors"] is None and gamma["conversion"] is None and gamma["conversion_rank"] is None
    assert (beta["conversion_rank"], alpha["conversion_rank"]) == (1, 2)
    assert (alpha["visitors_rank"], beta["visitors_rank"]) == (1, 2)
    assert view["medians"]["conversion"] == 22.5
    assert view["medians"]["visitors"] == 125
    assert [row["name"] for row in view["rows"]] == ["Beta", "Alpha", "Gamma"]  # missing last


def test_daily_series_and_heatmap_of_the_brand_and_of_one_store(brand):
    a, b, c = brand
    figures = brand_view([a, b, c], FIRST, LAST, NOW, focus=a.pk)["figures"]
    brand_days = figures.daily["brand"]
    assert {day: (t.visitors, t.transactions, t.conversion) for day, t in brand_days.items()} == {
        FIRST: (150, 20, 20.0),
        LAST: (100, 30, 25.0),
    }
    assert {day: t.conversion for day, t in figures.daily["store"].items()} == {FIRST: 20.0, LAST: None}
    heat = figures.heatmap["brand"]
    assert (heat[(1, 10)].visitors, heat[(1, 10)].conversion) == (100, 20.0)
    assert (heat[(1, 11)].visitors, heat[(1, 11)].conversion) == (50, None)
    assert (heat[(2, 10)].visitors, heat[(2, 10)].conversion) == (100, 25.0)
    assert heat[(2, 15)].visitors is None and heat[(2, 15)].transactions == 5
    assert set(figures.heatmap["store"]) == {(1, 10), (1, 11), (2, 15)}


def test_hours_after_now_are_not_counted(brand):
    a, b, c = brand
    view = brand_view([a], FIRST, LAST, at(FIRST, 11))
    assert (view["rows"][0]["visitors"], view["rows"][0]["transactions"]) == (100, 20)


def test_brand_page_shows_medians_chart_and_heatmap(client, brand_admin_a, brand):
    a, b, c = brand
    client.force_login(brand_admin_a)
    response = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}&sort=conversion&dir=desc")
    assert response.status_code == 200
    html = response.content.decode()
    assert [row["name"] for row in response.context["rows"]] == ["Beta", "Alpha", "AVM İstanbul", "Gamma"]
    median = html[html.index('id="brand-median"') :]
    assert "22.5 %" in median[: median.index("</tr>")]
    chart = response.context["chart"]
    assert chart["labels"] == [FIRST.isoformat(), LAST.isoformat()]
    assert (chart["brand_visitors"], chart["brand_conversion"], chart["store_visitors"]) == (
        [150, 100],
        [20.0, 25.0],
        None,
    )
    assert 'id="brand-chart-data"' in html and "dashboard/brand.js" in html
    assert response.context["heatmap"]["hours"] == [10, 11, 15]


def test_focus_store_and_heatmap_csv(client, brand_admin_a, brand):
    a, b, c = brand
    client.force_login(brand_admin_a)
    response = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}&store={b.pk}&heat=conversion")
    assert response.context["focus"] == b
    assert response.context["chart"]["store_conversion"] == [None, 25.0]
    text = client.get(f"/dashboard/brand/heatmap.csv?from={FIRST}&to={LAST}&store={b.pk}&heat=conversion")
    lines = text.content.decode().lstrip("\ufeff").splitlines()
    assert lines[0] == "iso_weekday,hour,conversion"
    assert "2,10,25.0" in lines
    assert len(lines) == 1 + 7  # one hour column (10:00) for each weekday


def test_another_brands_store_cannot_be_focused_or_seen(client, brand_admin_a, brand, store_b, tenant_b):
    HourlySales.objects.create(
        store=store_b, hour=at(FIRST, 10), transactions=999, revenue=Decimal("1"), currency="TRY"
    )
    client.force_login(brand_admin_a)
    response = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}&store={store_b.pk}")
    assert response.context["focus"] is None
    assert store_b.pk not in {row["store"].pk for row in response.context["rows"]}
    assert sum(row["transactions"] or 0 for row in response.context["rows"]) == 50
    assert store_b.name not in response.content.decode()


def test_brand_table_rows_in_the_page_language_escaped_with_mixed_currencies(client, brand_admin_a, brand):
    """The table body is built in Python (analytics.brand_table): each cell as the filters give
    it in the page language, names escaped, revenue naming its currency where stores differ."""
    a, b, c = brand
    euro = StoreFactory(tenant=a.tenant, code="e", name='Zürich <&> "Ost"', timezone="Europe/Istanbul", currency="EUR")
    door(euro, at(FIRST, 10), 1234)
    sale(euro, at(FIRST, 10), 3, "1234567.89")
    client.force_login(brand_admin_a)
    client.cookies["django_language"] = "tr"
    html = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}").content.decode()
    row = html[html.index(f'<tr data-store="{euro.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "Zürich &lt;&amp;&gt; &quot;Ost&quot;</a></th>" in row
    cells = [cell.split("</td>")[0] for cell in row.split('<td class="num">')[1:]]
    assert cells == [
        "1.234",
        "1.234",
        "–",
        "0 / 0",
        '1.234 <span class="rank">#1</span>',
        "–",
        "–",
        '0,2 % <span class="rank">#3</span>',
        "–",
        "–",
        "3",
        "1.234.567,89 EUR",
        "411.522,63",
        "1.000,46",
    ]
    alpha = html[html.index(f'<tr data-store="{a.pk}">') :]
    assert '<td class="num">1.100,00 TRY</td>' in alpha[: alpha.index("</tr>")]


def test_brand_table_without_stores(client, tenant_b):
    user = make_member(tenant_b, Role.BRAND_ADMIN, [], username="empty-brand").user
    client.force_login(user)
    response = client.get("/dashboard/brand/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert '<td colspan="15" class="empty">No stores.</td>' in response.content.decode()


def test_heatmap_rows_in_the_page_language(client, brand_admin_a, brand):
    """The heatmap's body (analytics.brand_table): weekday names translated, each cell the metric
    shown with its colour step, a dash where an hour of that weekday has nothing."""
    a, b, c = brand
    client.force_login(brand_admin_a)
    client.cookies["django_language"] = "tr"
    html = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}").content.decode()
    body = html[html.index('<table class="data heatgrid">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    # Hours 10, 11 and 15; Monday 10:00 100 visitors, 11:00 50; Tuesday 10:00 100 (Beta's cameras).
    assert body.startswith(
        '<tbody><tr><th scope="row">Pzt</th><td class="num heat-4">100</td><td class="num heat-2">50</td>'
        '<td class="num">–</td></tr><tr><th scope="row">Sal</th><td class="num heat-4">100</td>'
    )
    assert body.count("<tr>") == 7
    html = client.get(f"/dashboard/brand/?from={FIRST}&to={LAST}&heat=conversion").content.decode()
    body = html[html.index('<table class="data heatgrid">') :]
    assert '<th scope="row">Pzt</th><td class="num heat-4">20,0 %</td><td class="num">–</td>' in body


def test_the_hashed_grouping_leaves_the_planner_settings_as_they_were(brand):
    """The day-and-hour statement is planned without sorts (``SET LOCAL enable_sort = off``):
    the setting is switched back at once, so nothing else the request runs is planned that way,
    even inside a transaction of the caller's (as every test runs in)."""
    from django.db import connection

    a, b, c = brand
    figures = brand_view([a, b, c], FIRST, LAST, NOW)["figures"]
    assert figures.heatmap["brand"]  # the statement ran
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone()[0] == "on"
