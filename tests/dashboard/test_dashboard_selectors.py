"""Page-level selectors: occupancy (clamped, reset at opening), sources side by side, queue
worst hour, previous period, and the devices' camera counts next to the sender's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics import dashboard
from analytics.models import HourlyCustomers, HourlyQueue
from devices.models import Device, HourlyFootfall
from stores.models import Cashier

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 3, 12, tzinfo=UTC)  # after the whole day


def utc(hour: int, day: date = DAY) -> datetime:
    """Local (Istanbul, UTC+3) hour of ``day`` as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 3)


def test_occupancy_is_clamped_at_zero_and_reset_at_opening(store_a):
    store_a.opening_hour = 10
    rng = dashboard.store_range(store_a, DAY, DAY)
    counts = {utc(8): [5, 0], utc(9): [0, 9], utc(10): [4, 1], utc(11): [3, 10], utc(12): [6, 2]}
    series = dict(dashboard.occupancy_series(counts, rng, store_a.opening_hour, NOW))
    assert len(series) == 24
    assert series[utc(8)] == 5
    assert series[utc(9)] == 0  # 5 - 9 clamps at zero
    assert series[utc(10)] == 3  # reset at opening, then 4 in, 1 out
    assert series[utc(11)] == 0
    assert series[utc(12)] == 4
    assert series[utc(23)] == 4


def test_occupancy_stops_at_now(store_a):
    rng = dashboard.store_range(store_a, DAY, DAY)
    series = dashboard.occupancy_series({utc(0): [2, 0]}, rng, 0, utc(5) + timedelta(minutes=20))
    assert [value for _, value in series] == [2, 2, 2, 2, 2, 2]


def test_occupancy_in_a_half_hour_zone_follows_the_stored_utc_hours(store_a):
    # Kolkata is UTC+05:30: stored hours (whole UTC hours) start at :30 local. The series used to
    # step from local midnight (:30 UTC) and missed every stored hour, showing 0 all day.
    store_a.timezone, store_a.opening_hour = "Asia/Kolkata", 10
    rng = dashboard.store_range(store_a, DAY, DAY)
    at = lambda local_hour: datetime(2026, 3, 2, tzinfo=UTC) + timedelta(hours=local_hour - 5.5)  # noqa: E731
    counts = {at(8.5): [5, 1], at(9.5): [2, 0], at(10.5): [4, 1], at(11.5): [0, 2]}
    series = dict(dashboard.occupancy_series(counts, rng, store_a.opening_hour, NOW))
    assert all(moment.minute == 0 for moment in series)  # whole UTC hours only
    assert len(series) == 24  # the hours starting 00:30 … 23:30 local, as the read API buckets them
    assert series[at(8.5)] == 4
    assert series[at(9.5)] == 6  # 09:30-10:30 local starts before opening: same business day
    assert series[at(10.5)] == 3  # first hour starting after 10:00: a new day, 4 in, 1 out
    assert series[at(11.5)] == 1
    data = dashboard.occupancy_source(store_a, rng, NOW, counts, {})
    assert max(value for _, value in data[1]) == 6


def test_store_dashboard_sources_side_by_side_and_previous_period(store_a):
    device = Device.objects.create(
        store=store_a,
        device_id="CAM-1",
        name="Door",
        first_seen=NOW,
        last_seen=NOW - timedelta(hours=1),
        last_data_at=NOW - timedelta(hours=1),
    )
    HourlyCustomers.objects.create(store=store_a, hour=utc(12), entered=10, exited=4)
    HourlyCustomers.objects.create(store=store_a, hour=utc(12), camera_id="cam-2", entered=5, exited=1)
    HourlyCustomers.objects.create(store=store_a, hour=utc(13), male_count=3)  # demographics only
    HourlyCustomers.objects.create(store=store_a, hour=utc(12, DAY - timedelta(days=1)), entered=30, exited=30)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=0, hour=utc(12), enters=14, exits=6)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=0, hour=utc(14), enters=2, exits=0)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=1, hour=utc(14), enters=9, exits=0)
    data = dashboard.store_dashboard(store_a, dashboard.store_range(store_a, DAY, DAY), NOW)
    assert [
        (row["period"].hour, row["sender_entered"], row["sender_exited"], row["camera_enters"], row["camera_exits"])
        for row in data["footfall"]
    ] == [(12, 15, 5, 14, 6), (14, None, None, 2, 0)]
    assert data["comparison"]["sender_footfall"] == {"current": 15, "previous": 30, "change": -50.0}
    assert data["comparison"]["camera_footfall"] == {"current": 16, "previous": None, "change": None}
    assert data["comparison"]["occupancy_peak"]["current"] == 10
    assert data["occupancy_source"] == "sender"
    assert data["demographics"]["male_count"] == 3
    assert data["devices_offline"] == 1  # silent for an hour, the timeout is 10 minutes
    assert data["devices"][0]["last_seen"] == NOW - timedelta(hours=1)
    charts = dashboard.chart_data(data)
    assert charts["footfall"]["labels"] == ["12:00", "14:00"]
    assert charts["footfall"]["previous"] == [30, None]


def test_occupancy_falls_back_to_cameras(store_a):
    device = Device.objects.create(store=store_a, device_id="CAM-1", first_seen=NOW, last_seen=NOW)
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=0, hour=utc(11), enters=7, exits=2)
    data = dashboard.store_dashboard(store_a, dashboard.store_range(store_a, DAY, DAY), NOW)
    assert data["occupancy_source"] == "camera"
    assert data["comparison"]["occupancy_peak"]["current"] == 5


def test_queue_summary_marks_worst_hour(store_a):
    kasa1 = Cashier.objects.create(store=store_a, name="Kasa-1")
    kasa2 = Cashier.objects.create(store=store_a, name="Kasa-2")
    HourlyQueue.objects.create(store=store_a, cashier=kasa1, hour=utc(11), total_customers=10, wait_time=30)
    HourlyQueue.objects.create(store=store_a, cashier=kasa1, hour=utc(18), total_customers=30, wait_time=90)
    HourlyQueue.objects.create(store=store_a, cashier=kasa2, hour=utc(18), total_customers=10, wait_time=50)
    HourlyQueue.objects.create(store=store_a, cashier=kasa2, hour=utc(19), total_customers=0, wait_time=70)
    summary = dashboard.queue_summary(store_a, dashboard.store_range(store_a, DAY, DAY))
    assert [
        (r["cashier"], r["customers"], r["avg_wait"], r["worst_hour"].hour, r["worst_wait"])
        for r in summary["cashiers"]
    ] == [("Kasa-1", 40, 75.0, 18, 90.0), ("Kasa-2", 10, 50.0, 19, 70.0)]
    assert [(r["period"].hour, r["avg_wait"], r["worst"]) for r in summary["periods"]] == [
        (11, 30.0, False),
        (18, 80.0, True),
        (19, 70.0, False),
    ]
    assert summary["avg_wait"] == 70.0


def test_previous_range_has_same_length():
    from zoneinfo import ZoneInfo

    from stores.reporting import ReportRange

    rng = ReportRange(
        tz=ZoneInfo("Europe/Istanbul"), first_day=date(2026, 3, 1), last_day=date(2026, 3, 7), granularity="day"
    )
    before = dashboard.previous_range(rng)
    assert (before.first_day, before.last_day) == (date(2026, 2, 22), date(2026, 2, 28))
