"""devices.selectors: the PostgreSQL footfall query gives exactly the ORM version's rows.

Covers hour and day buckets in a zone with DST and one with a :30 offset, a device filter and
object types. On SQLite the ORM version is the only one and is what ``footfall_series`` returns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from devices import selectors
from devices.models import Device, HourlyFootfall
from stores.reporting import ReportRange


@pytest.fixture
def hourly(store_a):
    start = datetime(2025, 3, 28, tzinfo=UTC)  # spans the EU DST change of 2025-03-30
    rows = []
    for d in ("a", "b"):
        device = Device.objects.create(store=store_a, device_id=d, first_seen=start, last_seen=start)
        for h in range(24 * 5):
            for object_type in (0, 1):
                rows.append(
                    HourlyFootfall(
                        store=store_a,
                        device=device,
                        object_type=object_type,
                        hour=start + timedelta(hours=h),
                        enters=h % 7 + object_type,
                        exits=h % 5,
                        passings=h % 3,
                        returns=1 if d == "a" else 0,
                    )
                )
    HourlyFootfall.objects.bulk_create(rows)
    return store_a


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kolkata", "America/New_York"])
@pytest.mark.parametrize("granularity", ["hour", "day"])
@pytest.mark.parametrize(("device", "object_type"), [(None, 0), ("a", 0), (None, 1), ("missing", 0)])
def test_sql_and_orm_series_are_identical(hourly, zone, granularity, device, object_type):
    rng = ReportRange(
        tz=ZoneInfo(zone), first_day=date(2025, 3, 28), last_day=date(2025, 3, 31), granularity=granularity
    )
    expected = selectors._footfall_series_orm(hourly, rng, device, object_type)
    got = selectors.footfall_series(hourly, rng, device_id=device, object_type=object_type)
    assert got == expected
    if device == "missing":
        assert got == []
    else:
        assert 4 <= len(got) <= 96 and len({row["period"] for row in got}) == len(got)
    if connection.vendor == "postgresql":
        assert selectors._footfall_series_sql(hourly, rng, device, object_type) == expected
