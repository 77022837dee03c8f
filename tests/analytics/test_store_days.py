"""The business-day rollup (analytics.StoreDay) always equals a recomputation from the hourly rows,
whatever path wrote them, and the brand totals read from it equal the hour-by-hour reference."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from analytics import brand, dashboard
from analytics.models import HourlyCustomers, StoreDay
from analytics.services import apply_feed
from devices.models import Device, HourlyFootfall
from devices.services import ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml
from tests.factories import StoreFactory

# 7 March 2026 00:00 UTC: New York switches to daylight time on 8 March at 02:00 local.
BASE = datetime(2026, 3, 7, tzinfo=UTC)
SPAN_HOURS = 72


def expected_days(store) -> dict[tuple[str, date], tuple]:
    """Recompute every business day of ``store`` from its hourly rows, hour by hour."""
    store.refresh_from_db()
    tz = ZoneInfo(store.timezone)
    hourly: dict[str, dict[datetime, list[int]]] = {
        "sender": defaultdict(lambda: [0, 0]),
        "camera": defaultdict(lambda: [0, 0]),
    }
    for row in HourlyCustomers.objects.filter(store=store):
        if row.entered is None and row.exited is None:
            continue
        hourly["sender"][row.hour][0] += row.entered or 0
        hourly["sender"][row.hour][1] += row.exited or 0
    for row in HourlyFootfall.objects.filter(store=store, object_type=0):
        hourly["camera"][row.hour][0] += row.enters
        hourly["camera"][row.hour][1] += row.exits
    result = {}
    for source, counts in hourly.items():
        days: dict[date, list[tuple[datetime, int, int]]] = defaultdict(list)
        for hour, (enters, exits) in counts.items():
            local = hour.astimezone(tz).replace(tzinfo=None)
            days[(local - timedelta(hours=store.opening_hour)).date()].append((hour, enters, exits))
        for day, rows in days.items():
            inside = peak = 0
            for _, enters, exits in sorted(rows):
                inside = max(0, inside + enters - exits)
                peak = max(peak, inside)
            # The parts around local midnight: the hours on the day's own date, and those after
            # midnight with occupancy counted from midnight.
            parts = []
            for after in (False, True):
                part = sorted(r for r in rows if (r[0].astimezone(tz).date() > day) == after)
                inside_part = peak_part = 0
                for _, enters, exits in part:
                    inside_part = max(0, inside_part + enters - exits)
                    peak_part = max(peak_part, inside_part)
                parts += [sum(r[1] for r in part), peak_part] if part else [None, None]
            result[(source, day)] = (sum(r[1] for r in rows), peak, *parts)
    return result


def stored_days(store) -> dict[tuple[str, date], tuple]:
    return {
        (row.source, row.business_date): (
            row.footfall,
            row.occupancy_peak,
            row.before_midnight_footfall,
            row.before_midnight_peak,
            row.after_midnight_footfall,
            row.after_midnight_peak,
        )
        for row in StoreDay.objects.filter(store=store)
    }


def camera_push(rng: random.Random, device_id: str, transmit: int) -> bytes:
    objects = []
    for object_type in rng.sample(["0", "1"], rng.randint(1, 2)):
        minutes = rng.sample(range(SPAN_HOURS * 60), rng.randint(1, 8))
        counts = [
            count_xml(
                unix=int((BASE + timedelta(minutes=m)).timestamp()),
                enters=str(rng.randint(0, 9)),
                exits=str(rng.randint(0, 12)),
            )
            for m in minutes
        ]
        objects.append(object_xml(object_type, counts))
    return document(device_id=device_id, transmit=transmit, reports=[report_xml(objects=objects)])


def sender_batch(rng: random.Random, store) -> list[tuple]:
    batch = []
    for _ in range(rng.randint(1, 6)):
        hour = BASE + timedelta(hours=rng.randrange(SPAN_HOURS))
        data = {"timestamp": hour, "camera_id": rng.choice(["kapi-1", "kapi-2"])}
        kind = rng.random()
        if kind < 0.2:
            data["male_count"] = rng.randint(0, 9)  # demographics only: no count, no day
        elif kind < 0.3:
            data |= {"entered": None, "exited": None}  # counts withdrawn: the day may go
        else:
            data |= {"entered": rng.randint(0, 20), "exited": rng.randint(0, 25)}
        batch.append((store, data))
    return batch


@pytest.fixture
def zoned_stores(tenant_a):
    return [
        StoreFactory(tenant=tenant_a, code="ny", name="New York", timezone="America/New_York", opening_hour=9),
        StoreFactory(tenant=tenant_a, code="ny0", name="New York night", timezone="America/New_York", opening_hour=0),
        StoreFactory(tenant=tenant_a, code="del", name="Delhi", timezone="Asia/Kolkata", opening_hour=10),
    ]


def load_random(stores, seed: int, pushes: int = 30) -> None:
    rng = random.Random(seed)
    for store in stores:
        for _ in range(pushes):
            if store.code != "ny0" and rng.random() < 0.35:
                apply_feed("customers", sender_batch(rng, store))
            else:
                # Transmit times repeat and go back: some pushes supersede, some are late and lose.
                transmit = 1772900000 + rng.randint(0, 40) * 60
                ingest_document(store, camera_push(rng, rng.choice(["cam-1", "cam-2", "cam-3"]), transmit))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_equals_recomputation_after_random_pushes_and_upserts(zoned_stores, seed):
    load_random(zoned_stores, seed)
    for store in zoned_stores:
        expected = expected_days(store)
        assert expected, "the scenario must produce days"
        assert stored_days(store) == expected


@pytest.mark.parametrize("seed", [4, 5])
def test_one_batch_across_stores_of_three_zones_refreshes_each_stores_days(zoned_stores, settings, seed):
    """The camera applier refreshes every store of a batch in one statement (refresh_many)."""
    from devices import applier

    settings.DEVICES_APPLY_INLINE = False
    rng = random.Random(seed)
    for _ in range(25):
        store = rng.choice(zoned_stores)
        transmit = 1772900000 + rng.randint(0, 40) * 60
        ingest_document(store, camera_push(rng, rng.choice(["cam-1", "cam-2"]), transmit))
    assert applier.apply_batch(100) == 25
    for store in zoned_stores:
        assert stored_days(store) == expected_days(store)


def test_day_bounds_follow_the_opening_hour_and_zone(zoned_stores):
    delhi = zoned_stores[2]
    apply_feed("customers", [(delhi, {"timestamp": datetime(2026, 3, 7, 6, tzinfo=UTC), "entered": 3, "exited": 1})])
    row = StoreDay.objects.get(store=delhi)
    # 06:00 UTC is 11:30 in Delhi: the business day of 7 March, 10:00 → 10:00 local (04:30 UTC).
    assert (row.source, row.business_date, row.footfall, row.occupancy_peak) == ("sender", date(2026, 3, 7), 3, 2)
    assert (row.starts_at, row.ends_at) == (
        datetime(2026, 3, 7, 4, 30, tzinfo=UTC),
        datetime(2026, 3, 8, 4, 30, tzinfo=UTC),
    )


def test_demographics_only_records_create_no_day(zoned_stores):
    store = zoned_stores[0]
    apply_feed("customers", [(store, {"timestamp": BASE, "male_count": 4})])
    assert not StoreDay.objects.exists()


def test_time_zone_and_opening_changes_rebuild_the_days(zoned_stores):
    load_random(zoned_stores, seed=7, pushes=20)
    store = zoned_stores[0]
    before = stored_days(store)
    store.opening_hour = 3
    store.save()
    assert stored_days(store) == expected_days(store) != before
    store.timezone = "Asia/Kolkata"
    store.save(update_fields=["timezone"])
    assert stored_days(store) == expected_days(store)


def test_device_deletion_and_the_rebuild_command_keep_rows_consistent(zoned_stores):
    load_random(zoned_stores, seed=11, pushes=20)
    store = zoned_stores[1]
    Device.objects.filter(store=store, device_id="cam-2").delete()
    assert stored_days(store) == expected_days(store)
    # Hourly rows changed behind ingest's back (bulk SQL): the command repairs the rollup.
    HourlyFootfall.objects.filter(store=store, object_type=0).update(enters=1, exits=0)
    StoreDay.objects.filter(store=zoned_stores[2]).update(footfall=-1)
    call_command("rebuild_store_days", "--store", str(store.pk), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored_days(store) == expected_days(store)
    call_command("rebuild_store_days", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for each in zoned_stores:
        assert stored_days(each) == expected_days(each)


def test_demo_loaders_keep_rows_consistent(zoned_stores):
    from analytics import demo as analytics_demo
    from devices import demo as devices_demo

    store = zoned_stores[2]
    devices_demo.load(store, days=2)
    analytics_demo.load(store, days=2)
    devices_demo.load(store, days=2)  # reloading replaces the same span
    expected = expected_days(store)
    assert {source for source, _ in expected} == {"sender", "camera"}
    assert stored_days(store) == expected


# --- the brand reader (PostgreSQL) ---------------------------------------------------------------


def reference_totals(stores, first: date, last: date, now: datetime) -> dict:
    """Hour by hour from the hourly rows: each store's local days [first, last] capped at ``now``,
    sender counts where the store has any in the window, camera counts otherwise; occupancy from 0
    at the first hour of each business day inside the window."""
    result = {}
    for store in stores:
        tz = ZoneInfo(store.timezone)
        start = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC)
        end = min(datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz).astimezone(UTC), now)
        sender: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
        for row in HourlyCustomers.objects.filter(store=store, hour__gte=start, hour__lt=end):
            if row.entered is not None or row.exited is not None:
                sender[row.hour][0] += row.entered or 0
                sender[row.hour][1] += row.exited or 0
        camera: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
        for row in HourlyFootfall.objects.filter(store=store, object_type=0, hour__gte=start, hour__lt=end):
            camera[row.hour][0] += row.enters
            camera[row.hour][1] += row.exits
        counts = sender or camera
        if not counts:
            result[store.pk] = (None, None)
            continue
        inside = peak = 0
        segment = None
        for hour in sorted(counts):
            day = (hour.astimezone(tz).replace(tzinfo=None) - timedelta(hours=store.opening_hour)).date()
            if day != segment:
                segment, inside = day, 0
            inside = max(0, inside + counts[hour][0] - counts[hour][1])
            peak = max(peak, inside)
        result[store.pk] = (sum(e for e, _ in counts.values()), peak)
    return result


def test_brand_totals_from_the_rollup_equal_the_hourly_reference(zoned_stores):
    load_random(zoned_stores, seed=5, pushes=40)
    windows = [
        (date(2026, 3, 7), date(2026, 3, 9), datetime(2026, 3, 20, tzinfo=UTC)),  # all whole days + head
        (date(2026, 3, 7), date(2026, 3, 9), datetime(2026, 3, 8, 17, 40, tzinfo=UTC)),  # now inside
        (date(2026, 3, 8), date(2026, 3, 8), datetime(2026, 3, 20, tzinfo=UTC)),  # one local day: head + tail
        (date(2026, 3, 6), date(2026, 3, 10), datetime(2026, 3, 9, 3, tzinfo=UTC)),
        (date(2026, 3, 8), date(2026, 3, 9), datetime(2026, 3, 8, 2, tzinfo=UTC)),  # now before most data
        (date(2026, 3, 5), date(2026, 3, 12), datetime(2026, 3, 20, tzinfo=UTC)),  # the data inside whole days
        (date(2026, 3, 9), date(2026, 3, 9), datetime(2026, 3, 20, tzinfo=UTC)),  # the day after the data
    ]
    for first, last, now in windows:
        expected = reference_totals(zoned_stores, first, last, now)
        ranges = {s.pk: dashboard.store_range(s, first, last, "hour") for s in zoned_stores}
        assert dashboard.footfall_and_peaks(zoned_stores, ranges, first, last, now) == expected, (first, last, now)


def test_split_window_cuts_whole_business_days():
    tz = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 7, 5, tzinfo=UTC)  # local midnight, 7 March
    end = datetime(2026, 3, 10, 4, tzinfo=UTC)  # local midnight, 10 March (daylight time)
    split = brand.split_window(start, end, tz, 9, ends_at_midnight=True)
    # Opening at 09:00: 7, 8 March are whole; 00:00–09:00 of 7 March is the after-midnight part
    # of 6 March's business day, 9 March 09:00 → midnight the before-midnight part of 9 March's.
    assert (split.first_full, split.last_full) == (date(2026, 3, 7), date(2026, 3, 8))
    assert (split.head_after, split.tail_before, split.ranges) == (date(2026, 3, 6), date(2026, 3, 9), [])
    # Cut by ``now`` instead of midnight: the tail is read from hourly rows.
    capped = brand.split_window(start, end, tz, 9, ends_at_midnight=False)
    assert (capped.head_after, capped.tail_before) == (date(2026, 3, 6), None)
    assert capped.ranges == [(datetime(2026, 3, 9, 13, tzinfo=UTC), end)]
    # One local day: no whole day, both midnight parts.
    one_day = brand.split_window(start, datetime(2026, 3, 8, 5, tzinfo=UTC), tz, 9, ends_at_midnight=True)
    assert (one_day.first_full, one_day.head_after, one_day.tail_before, one_day.ranges) == (
        None,
        date(2026, 3, 6),
        date(2026, 3, 7),
        [],
    )
    # Five hours inside one business day: hourly rows only.
    short = brand.split_window(start, start + timedelta(hours=5), tz, 9, ends_at_midnight=False)
    assert (short.first_full, short.head_after, short.tail_before) == (None, None, None)
    assert short.ranges == [(start, start + timedelta(hours=5))]
    # Opening at midnight: business days are the calendar days, nothing is cut.
    midnight = brand.split_window(start, end, tz, 0, ends_at_midnight=True)
    assert (midnight.first_full, midnight.last_full, midnight.ranges) == (date(2026, 3, 7), date(2026, 3, 9), [])


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_of_two_cameras_leave_the_right_day(tenant_a):
    store = StoreFactory(tenant=tenant_a, code="race", name="Race", timezone="Europe/Istanbul", opening_hour=9)
    hour = int(datetime(2026, 3, 7, 10, tzinfo=UTC).timestamp())
    bodies = {
        name: document(
            device_id=name,
            transmit=1772900000,
            reports=[
                report_xml(
                    objects=[object_xml("0", [count_xml(unix=hour + 60 * m, enters="3", exits="1") for m in range(n)])]
                )
            ],
        )
        for name, n in (("cam-a", 5), ("cam-b", 7))
    }
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():  # holds its hourly rows and day lock uncommitted for a while
                ingest_document(store, bodies["cam-a"])
                barrier.wait()
                time.sleep(0.6)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    def second() -> None:
        try:
            barrier.wait()
            time.sleep(0.1)  # the first transaction is open, its rows uncommitted
            ingest_document(store, bodies["cam-b"])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert stored_days(store) == expected_days(store) == {("camera", date(2026, 3, 7)): (36, 24, 36, 24, None, None)}
