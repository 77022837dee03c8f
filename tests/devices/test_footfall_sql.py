"""devices.selectors.footfall_series: the SQL query's rows against sums computed here from the
hourly rows the fixture wrote.

Covers hour and day buckets in a zone with DST and one with a :30 offset, a device filter and
object types.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices import selectors
from devices.models import Device, HourlyFootfall
from devices.services import MEASURES
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


def expected_series(store, rng: ReportRange, device: str | None, object_type: int) -> list[dict]:
    """The series by hand: each hourly row of the window added to its local hour or local day."""
    rows = HourlyFootfall.objects.filter(store=store, object_type=object_type).select_related("device")
    buckets: dict[datetime, list[int]] = {}
    for row in rows:
        if not rng.start_utc <= row.hour < rng.end_utc or (device is not None and row.device.device_id != device):
            continue
        local = row.hour.astimezone(rng.tz)
        if rng.granularity != "hour":
            local = datetime.combine(local.date(), datetime.min.time()).replace(tzinfo=rng.tz)
        totals = buckets.setdefault(local, [0, 0, 0, 0])
        for index, name in enumerate(MEASURES):
            totals[index] += getattr(row, name)
    return [
        {"period": moment.isoformat(), **dict(zip(MEASURES, totals, strict=True))}
        for moment, totals in sorted(buckets.items())
    ]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kolkata", "America/New_York"])
@pytest.mark.parametrize("granularity", ["hour", "day"])
@pytest.mark.parametrize(("device", "object_type"), [(None, 0), ("a", 0), (None, 1), ("missing", 0)])
def test_series_sums_the_hourly_rows_by_local_hour_or_day(hourly, zone, granularity, device, object_type):
    rng = ReportRange(
        tz=ZoneInfo(zone), first_day=date(2025, 3, 28), last_day=date(2025, 3, 31), granularity=granularity
    )
    expected = expected_series(hourly, rng, device, object_type)
    got = selectors.footfall_series(hourly, rng, device_id=device, object_type=object_type)
    assert got == expected
    if device == "missing":
        assert got == []
    else:
        assert 4 <= len(got) <= 96 and len({row["period"] for row in got}) == len(got)
