"""Conversion arithmetic and the read API ``GET /api/stores/<id>/sales``: hours without both
sides are left out (missing, never 0 %), visitors from cameras when the store has devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from analytics.models import HourlyCustomers
from devices.models import Device, HourlyFootfall
from sales import selectors
from sales.models import HourlySales

# Istanbul is UTC+3 all year: 2026-02-16 local 10:00 is 07:00 UTC.
DAY = "2026-02-16"
H = datetime(2026, 2, 16, 7, tzinfo=UTC)


def hour(n: int) -> datetime:
    return H + timedelta(hours=n)


def sale(store, n: int, transactions: int, revenue: str, till: str = "", items=None) -> None:
    HourlySales.objects.create(
        store=store,
        hour=hour(n),
        till=till,
        transactions=transactions,
        revenue=Decimal(revenue),
        items=items,
        currency="TRY",
    )


def visitors(store, n: int, entered: int, camera: str = "kapi") -> None:
    HourlyCustomers.objects.create(store=store, camera_id=camera, hour=hour(n), entered=entered, exited=0)


def test_combine_counts_only_hours_with_both_sides():
    v = {hour(0): 100, hour(1): 50, hour(3): 0}
    s = {
        hour(0): selectors.Till(20, Decimal("400"), None),
        hour(2): selectors.Till(7, Decimal("70"), None),  # nobody counted the door: not in conversion
        hour(3): selectors.Till(2, Decimal("20"), None),  # zero visitors counted: matched, adds no visitors
    }
    f = selectors.combine(v, s, lambda h: "all")["all"]
    assert (f.transactions, f.revenue, f.visitors) == (29, Decimal("490"), 150)
    assert (f.matched_transactions, f.matched_visitors, f.hours_matched) == (22, 100, 2)
    assert f.conversion == 22.0
    assert f.average_transaction_value == Decimal("16.90")  # 490 / 29 = 16.896…
    assert f.sales_per_visitor == Decimal("4.20")  # 420 / 100


def test_no_hour_with_both_sides_is_missing_not_zero():
    f = selectors.combine({hour(0): 80}, {hour(1): selectors.Till(5, Decimal("50"), None)}, lambda h: 0)[0]
    assert f.conversion is None
    assert f.sales_per_visitor is None
    assert f.average_transaction_value == Decimal("10.00")
    assert selectors.conversion(0, 0, 3) is None
    assert selectors.conversion(0, 40, 1) == 0.0  # both sides there, nobody bought: a real 0 %


def test_visitors_come_from_cameras_when_the_store_has_devices(store_a):
    visitors(store_a, 0, 90)
    assert selectors.visitors_by_hour(store_a, hour(0), hour(5)) == {hour(0): 90}
    device = Device.objects.create(store=store_a, device_id="d1", first_seen=H, last_seen=H)
    other = Device.objects.create(store=store_a, device_id="d2", first_seen=H, last_seen=H)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=0, hour=hour(0), enters=40, exits=1)
    HourlyFootfall.objects.create(store=store_a, device=other, object_type=0, hour=hour(0), enters=25, exits=1)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=1, hour=hour(0), enters=30, exits=1)
    assert selectors.visitors_source(store_a) == "camera"
    assert selectors.visitors_by_hour(store_a, hour(0), hour(5)) == {hour(0): 65}


def test_read_api_by_hour(api, viewer_a, store_a):
    visitors(store_a, 0, 60)
    visitors(store_a, 0, 40, camera="kapi-2")  # cameras of the sender are summed: 100
    visitors(store_a, 1, 50)
    sale(store_a, 0, 12, "600.00", till="K1", items=20)
    sale(store_a, 0, 8, "250.50", till="K2")
    sale(store_a, 2, 3, "90.00")  # no visitors this hour
    body = api(viewer_a).get(f"/api/stores/{store_a.pk}/sales?from={DAY}&to={DAY}&granularity=hour").json()
    assert (body["currency"], body["visitors_source"], body["timezone"]) == ("TRY", "sender", "Europe/Istanbul")
    assert body["results"] == [
        {
            "period": "2026-02-16T10:00:00+03:00",
            "transactions": 20,
            "revenue": "850.50",
            "items": 20,
            "visitors": 100,
            "conversion": 20.0,
            "average_transaction_value": "42.53",
            "sales_per_visitor": "8.51",
            "hours_matched": 1,
        },
        {
            "period": "2026-02-16T12:00:00+03:00",
            "transactions": 3,
            "revenue": "90.00",
            "items": None,
            "visitors": None,
            "conversion": None,
            "average_transaction_value": "30.00",
            "sales_per_visitor": None,
            "hours_matched": 0,
        },
    ]


def test_read_api_by_day_uses_the_matched_hours_only(api, viewer_a, store_a):
    visitors(store_a, 0, 100)
    visitors(store_a, 1, 50)  # no till total for this hour: not in the conversion
    sale(store_a, 0, 25, "500.00")
    sale(store_a, 2, 5, "100.00")  # no visitors: not in the conversion either
    body = api(viewer_a).get(f"/api/stores/{store_a.pk}/sales?from={DAY}&to={DAY}&granularity=day").json()
    (row,) = body["results"]
    assert row["period"] == "2026-02-16T00:00:00+03:00"
    assert (row["transactions"], row["revenue"], row["visitors"]) == (30, "600.00", 150)
    assert (row["conversion"], row["sales_per_visitor"], row["hours_matched"]) == (25.0, "5.00", 1)
    assert row["average_transaction_value"] == "20.00"


def test_another_brand_cannot_read(api, viewer_b, brand_admin_a, store_a):
    sale(store_a, 0, 1, "1")
    assert api(viewer_b).get(f"/api/stores/{store_a.pk}/sales").status_code == 404
    assert api(brand_admin_a).get(f"/api/stores/{store_a.pk}/sales").status_code == 200


def test_bad_range_is_400_with_the_field(api, viewer_a, store_a):
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/sales?from=2026-02-30")
    assert response.status_code == 400
    assert "from" in response.json()["errors"]
