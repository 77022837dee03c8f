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
from tests.factories import StoreFactory

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
