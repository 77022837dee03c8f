"""Writes of camera demographics: ObjectType 3 ``GenderCount``/``AgeCount``/``WorkCardCount``.

The same design as the people counts in ``devices.services``, so the same guarantees hold:

- each record is kept per (device, kind, period start in UTC) in ``DemographicCount``; it
  replaces the stored one only when its ``TransmitTime`` (receipt time when absent) is ≥ the
  stored one's, so a re-push of the same interval never doubles and a late, older push changes
  nothing;
- per-second V2.1 records (``Interval="0"``) fold into their minute row, one slot per second with
  the same rule per slot (``seconds``), so storage stays ≤ one row per device, kind and minute;
- ``HourlyDemographics`` gets the difference between each row before and after, in the same
  transaction, so it always equals the sum of the interval rows.

Called inside the document's transaction after the device row is locked (both ingest paths
and replay), a fixed handful of statements whatever the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from devices.models import (
    COLUMN_OF_ATTRIBUTE,
    DEMOGRAPHIC_COLUMNS,
    DemographicCount,
    Device,
    HourlyDemographics,
)
from devices.seconds import fold_seconds, latest_transmit
from devices.xml import DEMOGRAPHIC_FIELDS, DemographicRecord

# kind -> its columns, in the order the parser gives the values
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    kind: tuple(COLUMN_OF_ATTRIBUTE[name] for name in names) for kind, names in DEMOGRAPHIC_FIELDS.values()
}

Key = tuple[str, datetime]


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _values(record: DemographicRecord) -> list[int]:
    return [value for _, value in record.values]


def _demographic_slot(record: DemographicRecord) -> list[int]:
    return [*_values(record), record.status]


def _whole(device: Device, record: DemographicRecord, transmit_time: datetime, seen_at: datetime) -> DemographicCount:
    return DemographicCount(
        device=device,
        kind=record.kind,
        period_start=record.period_start,
        interval=record.interval,
        values=dict(zip(KIND_COLUMNS[record.kind], _values(record), strict=True)),
        status=record.status,
        transmit_time=transmit_time,
        received_at=seen_at,
        seconds=None,
    )


def _folded(device: Device, kind: str, minute: datetime, slots: dict, seen_at: datetime) -> DemographicCount:
    columns = KIND_COLUMNS[kind]
    latest = slots[max(slots, key=int)]
    return DemographicCount(
        device=device,
        kind=kind,
        period_start=minute,
        interval=1,
        values={name: sum(slot[index] for slot in slots.values()) for index, name in enumerate(columns)},
        status=latest[-2],
        transmit_time=latest_transmit(slots),
        received_at=seen_at,
        seconds=slots,
    )


def store_demographics(
    device: Device, records: Iterable[DemographicRecord], transmit_time: datetime, seen_at: datetime
) -> int:
    """Apply a document's ObjectType 3 records; returns how many were new or superseded older ones.

    ``device`` needs ``pk`` and ``store_id`` only and must be locked by the caller's transaction.
    """
    records = list(records)
    by_key: dict[Key, DemographicRecord] = {(r.kind, r.period_start): r for r in records if r.interval}
    by_minute: dict[Key, dict[int, DemographicRecord]] = defaultdict(dict)
    for record in records:
        if not record.interval:
            by_minute[(record.kind, _minute(record.period_start))][record.period_start.second] = record
    keys = set(by_key) | set(by_minute)
    if not keys:
        return 0
    starts = [start for _, start in keys]
    existing = {
        (row.kind, row.period_start): row
        for row in DemographicCount.objects.filter(
            device_id=device.pk,
            kind__in={kind for kind, _ in keys},
            period_start__gte=min(starts),
            period_start__lte=max(starts),
        )
    }
    current: dict[Key, DemographicCount] = dict(existing)
    changed: dict[Key, DemographicCount] = {}
    applied = 0
    for key, record in by_key.items():
        old = current.get(key)
        if old is not None and old.transmit_time > transmit_time:
            continue  # supersede rule: an older push delivered late changes nothing
        current[key] = changed[key] = _whole(device, record, transmit_time, seen_at)
        applied += 1
    for (kind, minute), seconds in by_minute.items():
        folded = fold_seconds(current.get((kind, minute)), seconds, transmit_time, _demographic_slot)
        if folded is None:
            continue
        slots, count = folded
        current[(kind, minute)] = changed[(kind, minute)] = _folded(device, kind, minute, slots, seen_at)
        applied += count
    if not changed:
        return 0
    deltas: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DEMOGRAPHIC_COLUMNS, 0))
    for key, row in changed.items():
        old = existing.get(key)
        delta = deltas[_hour(row.period_start)]
        for name, value in row.values.items():
            delta[name] += value - (old.values.get(name, 0) if old is not None else 0)
    DemographicCount.objects.bulk_create(
        list(changed.values()),
        update_conflicts=True,
        unique_fields=["device", "kind", "period_start"],
        update_fields=["interval", "values", "status", "transmit_time", "received_at", "seconds"],
    )
    _apply_hourly_deltas(device, deltas)
    return applied


def _apply_hourly_deltas(device: Device, deltas: dict[datetime, dict[str, int]]) -> None:
    """Add the deltas to the device's hourly rows (created at zero when new)."""
    hours = list(deltas)
    current = {
        row.hour: row
        for row in HourlyDemographics.objects.filter(device_id=device.pk, hour__gte=min(hours), hour__lte=max(hours))
    }
    rows = []
    for hour, delta in deltas.items():
        row = current.get(hour)
        if row is not None and not any(delta.values()):
            continue
        totals = {name: (getattr(row, name) if row is not None else 0) + delta[name] for name in DEMOGRAPHIC_COLUMNS}
        rows.append(HourlyDemographics(store_id=device.store_id, device_id=device.pk, hour=hour, **totals))
    if rows:
        HourlyDemographics.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["device", "hour"], update_fields=list(DEMOGRAPHIC_COLUMNS)
        )
