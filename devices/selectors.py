"""Reads about people-counting devices: health for ``/health``, footfall for ``/footfall`` and dashboards.

Footfall is read from the hourly rollup (``HourlyFootfall``), never from minute rows, so a
year of minute data is a scan of ~9 K rows per device. ``hour`` buckets are UTC hours shown in
the store's time zone (as for sender analytics: a +05:30 store gets honest :30 labels), ``day``
buckets are whole local days. Only periods with data are returned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDay

from devices import health
from devices.models import DEMOGRAPHIC_COLUMNS, Device, HourlyDemographics, HourlyFootfall
from stores.models import Store
from stores.reporting import ReportRange, Window, group_by_window
from vislivis.database import server_bound_cursor

MEASURES = ("enters", "exits", "passings", "returns")


def device_health(store: Store, now: datetime) -> list[dict[str, Any]]:
    """``[{device_id, name, state, online, heard, last_data_at, refusal, last_seen, ...properties}]``
    for the store's devices.

    ``state`` is ``online`` | ``refusing`` | ``silent`` (``devices.health``); ``online`` is true
    only when the state is ``online`` (data documents accepted within the inactivity timeout);
    ``refusal`` (``{reason, document_id, received_at, console_url}``) is set while refusing.
    """
    timeout = store.inactivity_timeout
    return [
        {
            "device_id": device.device_id,
            "name": device.name,
            **health.health_fields(device, now, timeout),
            "last_seen": device.last_seen.isoformat(),
            "first_seen": device.first_seen.isoformat(),
            "last_document": device.last_document_kind,
            "mac_address": device.mac_address,
            "ip_address": device.ip_address,
            "serial_number": device.serial_number,
            "sw_release": device.sw_release,
            "hw_platform": device.hw_platform,
            "connection_type": device.connection_type,
            "host_name": device.host_name,
            "timezone_hours": device.timezone_hours,
            "site_id": device.site_id,
            "site_name": device.site_name,
        }
        for device in Device.objects.filter(store=store).order_by("device_id")
    ]


def device_exists(store: Store, device_id: str) -> bool:
    return Device.objects.filter(store=store, device_id=device_id).exists()


def footfall_series(
    store: Store,
    rng: ReportRange,
    device_id: str | None = None,
    object_type: int = 0,
    subtract_staff: bool | None = None,
) -> list[dict[str, Any]]:
    """``[{"period", "enters", "exits", "passings", "returns"}]`` summed over the store's devices
    (or the one ``device_id``), ``period`` in ISO 8601 with the store's offset.

    People counts (object type 0) of a store with ``subtract_staff`` (or when ``subtract_staff``
    says so) have the staff of each hour taken off ``enters`` (``without_staff``) before hours
    are summed into days; exits, passings and returns stay as counted."""
    subtract = store.subtract_staff if subtract_staff is None else subtract_staff
    if subtract and object_type == 0:
        staff = staff_by_hour(store, rng.start_utc, rng.end_utc, device_id)
        if staff:
            return _footfall_without_staff(store, rng, device_id, staff)
    return _footfall_series_sql(store, rng, device_id, object_type)


_SERIES_SQL = """
SELECT {period} AS period, sum(enters)::bigint, sum(exits)::bigint, sum(passings)::bigint, sum(returns)::bigint
FROM devices_hourlyfootfall
WHERE store_id = %(store)s AND object_type = %(object_type)s AND hour >= %(start)s AND hour < %(end)s {device}
GROUP BY 1 ORDER BY 1
"""
_DEVICE_FILTER = (
    "AND device_id IN (SELECT id FROM devices_device WHERE store_id = %(store)s AND device_id = %(device)s)"
)


def _footfall_series_sql(store: Store, rng: ReportRange, device_id: str | None, object_type: int) -> list[dict]:
    """Without the ORM: the query itself takes ~0.4 ms for a week by hour, and building it and
    converting rows through the ORM took ~3 ms."""
    by_day = rng.granularity != "hour"
    sql = _SERIES_SQL.format(
        period="date_trunc('day', hour AT TIME ZONE %(tz)s)" if by_day else "hour",
        device=_DEVICE_FILTER if device_id is not None else "",
    )
    params = {
        "store": store.pk,
        "object_type": object_type,
        "start": rng.start_utc,
        "end": rng.end_utc,
        "tz": str(rng.tz),
        "device": device_id,
    }
    # Server-side binding and a prepared statement, as in devices/applier.py: the statement is
    # one of four fixed texts, so each connection plans it once instead of on every request.
    with server_bound_cursor() as cursor:
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchall()
    tz = rng.tz
    result = []
    for period, enters, exits, passings, returns in rows:
        # A local day comes back as a naive local midnight (made aware as Django's TruncDay does).
        moment = period.replace(tzinfo=tz) if by_day else period.astimezone(tz)
        result.append(
            {"period": moment.isoformat(), "enters": enters, "exits": exits, "passings": passings, "returns": returns}
        )
    return result


# --- staff (work cards) and camera demographics (HX-CCD21 V2.1 ObjectType 3) ---------------------


def without_staff(enters: int, staff: int) -> int:
    """The one staff rule: an hour's camera enters minus the staff counted in that hour, never below 0.

    Every place that shows camera footfall of a store with ``Store.subtract_staff`` applies it per
    UTC hour over the store's devices (or the one device asked for): the read API, the store
    dashboard and its CSV, the store list, the brand view and its CSV.
    """
    return max(0, enters - staff)


def staff_by_hour(
    store: Store, start_utc: datetime, end_utc: datetime, device_id: str | None = None
) -> dict[datetime, int]:
    """UTC hour → people wearing a staff work card counted by the store's cameras in ``[start_utc, end_utc)``.

    Summed over the store's devices (or the one ``device_id``); hours without staff are absent.
    Whatever ``Store.subtract_staff`` says: callers decide whether to subtract (``without_staff``).
    """
    rows = HourlyDemographics.objects.filter(store=store, hour__gte=start_utc, hour__lt=end_utc, work_card__gt=0)
    if device_id is not None:
        rows = rows.filter(device__store=store, device__device_id=device_id)
    grouped = rows.values("hour").annotate(staff=Sum("work_card")).values_list("hour", "staff").order_by()
    return {hour.astimezone(UTC): int(staff) for hour, staff in grouped}


def camera_visitors_by_hour(store: Store, start_utc: datetime, end_utc: datetime) -> dict[datetime, int]:
    """UTC hour → camera footfall (object type 0 enters) of the store, staff subtracted when the
    store asks for it: the visitors a conversion rate divides by. Hours without counts are absent."""
    enters = {
        hour.astimezone(UTC): int(value)
        for hour, value in HourlyFootfall.objects.filter(
            store=store, object_type=0, hour__gte=start_utc, hour__lt=end_utc
        )
        .values("hour")
        .annotate(enters=Sum("enters"))
        .values_list("hour", "enters")
        .order_by()
    }
    if not store.subtract_staff:
        return enters
    staff = staff_by_hour(store, start_utc, end_utc)
    return {hour: without_staff(value, staff.get(hour, 0)) for hour, value in enters.items()}


def staff_removed_by_store(stores: Iterable[Store], windows: dict[int, Window]) -> dict[int, int]:
    """``{store_id: camera enters removed as staff}`` over each store's UTC window, for the stores
    with ``subtract_staff`` (others absent): what to take off a camera footfall total that was
    summed without the rule (the brand view's rollup, the store list). Two queries per distinct
    window, reading only the hours in which staff was counted."""
    wanted = {store.pk: windows[store.pk] for store in stores if store.subtract_staff and store.pk in windows}
    removed: dict[int, int] = {}
    for (start, end), store_ids in group_by_window(wanted).items():
        staff = {
            (store_id, hour): int(value)
            for store_id, hour, value in HourlyDemographics.objects.filter(
                store_id__in=store_ids, hour__gte=start, hour__lt=end, work_card__gt=0
            )
            .values("store_id", "hour")
            .annotate(staff=Sum("work_card"))
            .values_list("store_id", "hour", "staff")
            .order_by()
        }
        if not staff:
            continue
        enters = (
            HourlyFootfall.objects.filter(
                store_id__in={store_id for store_id, _ in staff},
                object_type=0,
                hour__in={hour for _, hour in staff},
            )
            .values("store_id", "hour")
            .annotate(enters=Sum("enters"))
            .values_list("store_id", "hour", "enters")
            .order_by()
        )
        for store_id, hour, value in enters:
            amount = int(value) - without_staff(int(value), staff[(store_id, hour)])
            if amount:
                removed[store_id] = removed.get(store_id, 0) + amount
    return removed


def _period_key(hour: datetime, rng: ReportRange) -> datetime:
    if rng.granularity == "hour":
        return hour.astimezone(rng.tz)
    return datetime.combine(hour.astimezone(rng.tz).date(), time.min, tzinfo=rng.tz)


def _footfall_without_staff(
    store: Store, rng: ReportRange, device_id: str | None, staff: dict[datetime, int]
) -> list[dict[str, Any]]:
    """The series with ``without_staff`` applied hour by hour, then bucketed into ``rng``'s periods."""
    hourly = dataclasses.replace(rng, granularity="hour")
    periods: dict[datetime, dict[str, Any]] = {}
    for row in _footfall_series_sql(store, hourly, device_id, 0):
        hour = datetime.fromisoformat(row["period"]).astimezone(UTC)
        key = _period_key(hour, rng)
        target = periods.setdefault(key, {"period": key.isoformat(), **dict.fromkeys(MEASURES, 0)})
        target["enters"] += without_staff(row["enters"], staff.get(hour, 0))
        for name in ("exits", "passings", "returns"):
            target[name] += row[name]
    return [periods[key] for key in sorted(periods)]


def camera_demographics_series(store: Store, rng: ReportRange, device_id: str | None = None) -> list[dict[str, Any]]:
    """``[{"period", "male", …, "work_card"}]`` summed over the store's devices (or one), periods
    with camera demographics only, ``period`` in ISO 8601 with the store's offset."""
    rows = HourlyDemographics.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)
    if device_id is not None:
        rows = rows.filter(device__store=store, device__device_id=device_id)
    period = F("hour") if rng.granularity == "hour" else TruncDay("hour", tzinfo=rng.tz)
    grouped = (
        rows.annotate(period=period)
        .values("period")
        .annotate(**{name: Sum(name) for name in DEMOGRAPHIC_COLUMNS})
        .order_by("period")
    )
    return [
        {
            "period": row["period"].astimezone(rng.tz).isoformat(),
            **{name: int(row[name]) for name in DEMOGRAPHIC_COLUMNS},
        }
        for row in grouped
    ]


def camera_demographics_totals(store: Store, rng: ReportRange) -> dict[str, int] | None:
    """The camera demographics of ``rng`` summed, or ``None`` when no camera sent any."""
    totals = HourlyDemographics.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc).aggregate(
        rows=Count("id"), **{name: Sum(name) for name in DEMOGRAPHIC_COLUMNS}
    )
    if not totals.pop("rows"):
        return None
    return {name: int(value or 0) for name, value in totals.items()}


SENDER_DEMOGRAPHICS = ("male_count", "female_count", "age_18_30", "age_30_50", "age_50_plus")


def demographics_report(store: Store, rng: ReportRange, device_id: str | None = None) -> list[dict[str, Any]]:
    """``[{"period", "sender": {...} | None, "camera": {...} | None}]``: both sources side by side,
    each labelled, each with its own bands (they do not map onto each other: docs/devices.md).

    ``sender`` holds the senders' ``male_count`` … ``age_50_plus`` (a field no sender reported is
    ``None``); ``camera`` the cameras' measures. With ``device_id`` only that camera's figures are
    given (senders have no device): ``sender`` is ``None``."""
    from analytics.models import HourlyCustomers

    periods: dict[str, dict[str, Any]] = {}

    def row(period: str) -> dict[str, Any]:
        return periods.setdefault(period, {"period": period, "sender": None, "camera": None})

    if device_id is None:
        period = F("hour") if rng.granularity == "hour" else TruncDay("hour", tzinfo=rng.tz)
        sender = (
            HourlyCustomers.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)
            .annotate(period=period)
            .values("period")
            .annotate(**{name: Sum(name) for name in SENDER_DEMOGRAPHICS})
            .order_by("period")
        )
        for item in sender:
            if all(item[name] is None for name in SENDER_DEMOGRAPHICS):
                continue  # counts-only hours carry no demographics
            row(item["period"].astimezone(rng.tz).isoformat())["sender"] = {
                name: item[name] for name in SENDER_DEMOGRAPHICS
            }
    for item in camera_demographics_series(store, rng, device_id):
        period_text = item.pop("period")
        row(period_text)["camera"] = item
    return sorted(periods.values(), key=lambda entry: datetime.fromisoformat(entry["period"]))
