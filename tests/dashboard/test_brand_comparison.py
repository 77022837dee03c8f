"""Brand comparison numbers, exact, on whichever database runs (SQL on PostgreSQL, Python else)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.dashboard import brand_comparison
from analytics.models import HourlyCustomers, HourlyQueue
from devices.models import Device, HourlyFootfall
from stores.models import Cashier
from tests.factories import StoreFactory

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
DAY1, DAY2 = date(2026, 3, 8), date(2026, 3, 9)


def at(day: date, local_hour: int, offset_hours: int) -> datetime:
    return datetime(day.year, day.month, day.day, local_hour, tzinfo=UTC) - timedelta(hours=offset_hours)


@pytest.fixture
def stores(tenant_a):
    # Istanbul (+03:00, opens 10:00), sender counts; New York (DST starts 8 March), cameras only.
    istanbul = StoreFactory(tenant=tenant_a, code="ist", name="Istanbul", timezone="Europe/Istanbul", opening_hour=10)
    new_york = StoreFactory(tenant=tenant_a, code="ny", name="New York", timezone="America/New_York", opening_hour=9)
    empty = StoreFactory(tenant=tenant_a, code="empty", name="Empty", timezone="Europe/Istanbul")
    return istanbul, new_york, empty


def test_footfall_and_peak_occupancy_are_exact(stores):
    istanbul, new_york, empty = stores
    # Istanbul, day 1: 10:00 +8, 11:00 +5 −10 (clamped to 0, not −2), 12:00 +4 → peak 8.
    # Day 2 resets at 10:00: 09:00 (still day 1's segment) +3 → 7; 10:00 +2 → 2. Peak 8.
    for day, hour, entered, exited in [
        (DAY1, 10, 8, 0),
        (DAY1, 11, 5, 15),
        (DAY1, 12, 4, 0),
        (DAY2, 9, 3, 0),
        (DAY2, 10, 2, 0),
    ]:
        HourlyCustomers.objects.create(
            store=istanbul, camera_id="kapi", hour=at(day, hour, 3), entered=entered, exited=exited
        )
    # Demographics only: no counts, must not change anything.
    HourlyCustomers.objects.create(store=istanbul, camera_id="demo", hour=at(DAY1, 13, 3), male_count=40)
    # Outside the range (the day before, local): ignored.
    HourlyCustomers.objects.create(store=istanbul, camera_id="kapi", hour=at(date(2026, 3, 7), 23, 3), entered=99)
    # New York cameras, two devices summed: 8 March is -05:00 until 02:00, then -04:00.
    devices = [
        Device.objects.create(
            store=new_york, device_id=f"d{n}", name=f"d{n}", first_seen=NOW, last_seen=NOW, last_data_at=NOW
        )
        for n in range(2)
    ]
    for device in devices:
        HourlyFootfall.objects.create(
            store=new_york, device=device, object_type=0, hour=at(DAY1, 9, -4), enters=6, exits=1
        )
        HourlyFootfall.objects.create(
            store=new_york, device=device, object_type=0, hour=at(DAY1, 10, -4), enters=1, exits=4
        )
        HourlyFootfall.objects.create(
            store=new_york, device=device, object_type=1, hour=at(DAY1, 10, -4), enters=50, exits=0
        )
    kasa = Cashier.objects.create(store=istanbul, name="Kasa-1")
    HourlyQueue.objects.create(store=istanbul, cashier=kasa, hour=at(DAY1, 10, 3), total_customers=3, wait_time=60)
    HourlyQueue.objects.create(store=istanbul, cashier=kasa, hour=at(DAY2, 10, 3), total_customers=1, wait_time=20)

    rows = {row["name"]: row for row in brand_comparison([istanbul, new_york, empty], DAY1, DAY2, NOW)}

    assert (rows["Istanbul"]["footfall"], rows["Istanbul"]["occupancy_peak"], rows["Istanbul"]["avg_wait"]) == (
        22,
        8,
        50.0,
    )
    # Cameras: 12 in, 2 out → 10 inside at 09:00; 2 in, 8 out at 10:00 → 4. Adults (type 1) ignored.
    assert (rows["New York"]["footfall"], rows["New York"]["occupancy_peak"], rows["New York"]["avg_wait"]) == (
        14,
        10,
        None,
    )
    assert (rows["New York"]["devices"], rows["New York"]["devices_offline"]) == (2, 0)
    assert (rows["Empty"]["footfall"], rows["Empty"]["occupancy_peak"], rows["Empty"]["devices"]) == (None, None, 0)


def test_sender_counts_win_over_cameras(stores):
    istanbul, _, _ = stores
    device = Device.objects.create(
        store=istanbul,
        device_id="cam",
        name="cam",
        first_seen=NOW,
        last_seen=NOW - timedelta(hours=1),
        last_data_at=NOW - timedelta(hours=1),
    )
    HourlyFootfall.objects.create(
        store=istanbul, device=device, object_type=0, hour=at(DAY1, 11, 3), enters=500, exits=0
    )
    HourlyCustomers.objects.create(store=istanbul, hour=at(DAY1, 11, 3), entered=7, exited=2)
    row = brand_comparison([istanbul], DAY1, DAY1, NOW)[0]
    assert (row["footfall"], row["occupancy_peak"], row["devices_offline"]) == (7, 5, 1)


def test_hours_after_now_are_not_counted(stores):
    istanbul, _, _ = stores
    HourlyCustomers.objects.create(store=istanbul, hour=NOW - timedelta(hours=1), entered=4, exited=0)
    HourlyCustomers.objects.create(store=istanbul, hour=NOW + timedelta(hours=1), entered=40, exited=0)
    row = brand_comparison([istanbul], NOW.date(), NOW.date(), NOW)[0]
    assert (row["footfall"], row["occupancy_peak"]) == (4, 4)
