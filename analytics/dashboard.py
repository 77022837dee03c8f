"""Page-level reads of the dashboards: one function per page, each a bounded number of queries.

The read API (``analytics.selectors``) answers one feed at a time; a dashboard page needs them
combined: sender and camera footfall side by side, occupancy derived from enters and exits,
per-cashier queue summaries with the worst hour, and the same figures for the previous period.
Everything returned is plain data (numbers, aware datetimes, strings) so the page, the live
refresh and the CSV export share it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, FloatField, Q, Sum

from analytics.models import DEMOGRAPHIC_FIELDS, HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from analytics.sender_clock import sender_clock
from analytics.storedays import segment_of
from sales.selectors import conversion_today
from sales.selectors import store_panel as sales_panel
from stores.models import Store
from stores.reporting import ReportRange, array_literal, ceil_hour, group_by_window
from stores.selectors import store_ai_status

HOUR = timedelta(hours=1)
# Longer ranges are shown per day: 24 bars a day stay readable for about three days.
MAX_HOURLY_DAYS = 3


def store_range(store: Store, first_day: date, last_day: date, granularity: str | None = None) -> ReportRange:
    """The same calendar days in ``store``'s own time zone (brand views span several zones)."""
    if granularity is None:
        granularity = "hour" if (last_day - first_day).days < MAX_HOURLY_DAYS else "day"
    return ReportRange(tz=ZoneInfo(store.timezone), first_day=first_day, last_day=last_day, granularity=granularity)


def previous_range(rng: ReportRange) -> ReportRange:
    """The period of the same length immediately before ``rng`` (for comparisons)."""
    span = rng.last_day - rng.first_day + timedelta(days=1)
    return dataclasses.replace(rng, first_day=rng.first_day - span, last_day=rng.last_day - span)


def as_utc(value: datetime | str) -> datetime:
    """Periods arrive as aware datetimes or ISO strings with an offset (the read API's form)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day_start(moment: datetime, rng: ReportRange) -> datetime:
    """Start of the local day (or the hour itself) that ``moment`` belongs to, in UTC."""
    if rng.granularity == "hour":
        return moment
    local = moment.astimezone(rng.tz)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=rng.tz).astimezone(UTC)


def camera_footfall(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    """Counts of the people-counting cameras; empty until the devices app provides them."""
    try:
        from devices.selectors import footfall_series
    except ImportError:
        return []
    return list(footfall_series(store, rng))


def device_health(store: Store, now: datetime) -> list[dict[str, Any]]:
    """The devices app's health rows (``state``: online / refusing / silent), with ``last_seen``
    and ``last_data_at`` as datetimes the page can localise."""
    from devices.selectors import device_health as devices_health

    rows = []
    for device in devices_health(store, now):
        row = dict(device)
        for name in ("last_seen", "last_data_at"):
            if isinstance(row.get(name), str):
                row[name] = as_utc(row[name])
        rows.append(row)
    return rows


# --- hourly counts and occupancy -----------------------------------------------------------------


def window(store: Store, rng: ReportRange, now: datetime) -> tuple[datetime, datetime]:
    return rng.start_utc, min(rng.end_utc, now)


def sender_hourly_counts(windows: dict[int, tuple[datetime, datetime]]) -> dict[int, dict[datetime, list[int]]]:
    """``{store_id: {utc_hour: [entered, exited]}}``; stores sharing a window share one query."""
    counts: dict[int, dict[datetime, list[int]]] = defaultdict(dict)
    for (start, end), store_ids in group_by_window(windows).items():
        rows = (
            HourlyCustomers.objects.filter(store_id__in=store_ids, hour__gte=start, hour__lt=end)
            .values("store_id", "hour")
            .annotate(entered=Sum("entered"), exited=Sum("exited"))
            .values_list("store_id", "hour", "entered", "exited")
            .order_by()
        )
        for store_id, hour, entered, exited in rows:
            if entered is None and exited is None:
                continue  # demographics-only hours carry no counts
            counts[store_id][as_utc(hour)] = [entered or 0, exited or 0]
    return counts


# The statement the ORM built for ``queue_waits`` (wait_time float × total_customers integer
# summed as float, customers as bigint), with the store ids as one array parameter: building and
# compiling the ORM query with ``store_id__in`` of 100 ids took ~1.5 ms of this process's CPU a
# call, this ~0.15 ms.
_QUEUE_WAITS_SQL = """
SELECT store_id, sum(wait_time * total_customers), sum(total_customers)
FROM analytics_hourlyqueue
WHERE store_id = ANY(%s::bigint[]) AND hour >= %s AND hour < %s
GROUP BY store_id
"""


def queue_waits(windows: dict[int, tuple[datetime, datetime]]) -> dict[int, tuple[float, int]]:
    """``{store_id: (wait × customers summed, customers)}`` over each store's window."""
    waits = {}
    with connection.cursor() as cursor:
        for (start, end), store_ids in group_by_window(windows).items():
            cursor.execute(_QUEUE_WAITS_SQL, [array_literal(store_ids), start, end])
            waits.update({store_id: (weighted, customers) for store_id, weighted, customers in cursor.fetchall()})
    return waits


def camera_hourly_counts(store: Store, rng: ReportRange) -> dict[datetime, list[int]]:
    """Camera enters and exits per UTC hour as counted (staff included: occupancy needs both
    directions, and a work-card count has none; footfall totals take staff off separately)."""
    from devices.selectors import footfall_series

    hourly = dataclasses.replace(rng, granularity="hour")
    rows = footfall_series(store, hourly, subtract_staff=False)
    return {as_utc(row["period"]): [row["enters"] or 0, row["exits"] or 0] for row in rows}


def camera_total(
    stores: Iterable[Store], counts: dict[int, dict[datetime, list[int]]], windows
) -> dict[int, int | None]:
    """``{store_id: camera footfall}`` from hourly counts as counted, with the work-card staff of the
    same hours taken off for stores with ``subtract_staff`` (``devices.selectors.without_staff``)."""
    from devices.selectors import staff_removed_by_store

    removed = staff_removed_by_store(stores, windows)
    result = {}
    for store in stores:
        total = totals(counts.get(store.pk, {}))
        result[store.pk] = total - removed.get(store.pk, 0) if total is not None else None
    return result


def occupancy_series(
    counts: dict[datetime, list[int]], rng: ReportRange, opening_hour: int, now: datetime
) -> list[tuple[datetime, int]]:
    """People inside at the end of every hour: running enters minus exits, never below zero,
    back to zero at the store's opening hour (and at the start of the range).

    Steps through the stored hours, which are whole UTC hours: in a +05:30 zone they start at
    :30 local, so the range's local midnight is not one of them. "Back to zero" is a new
    business day (``analytics.storedays.segment_of``), the rule the brand totals and the
    ``StoreDay`` rollup use."""
    series: list[tuple[datetime, int]] = []
    inside, segment = 0, None
    moment, end = ceil_hour(rng.start_utc), min(rng.end_utc, now)
    while moment < end:
        current = segment_of(moment, rng.tz, opening_hour)
        if current != segment:
            inside, segment = 0, current
        entered, exited = counts.get(moment, (0, 0))
        inside = max(0, inside + entered - exited)
        series.append((moment, inside))
        moment += HOUR
    return series


def occupancy_source(
    store: Store, rng: ReportRange, now: datetime, sender: dict[datetime, list[int]], camera: dict[datetime, list[int]]
) -> tuple[str, list[tuple[datetime, int]]]:
    """Occupancy from the sender's counts, or from the cameras where no sender counts exist."""
    if sender:
        return "sender", occupancy_series(sender, rng, store.opening_hour, now)
    if camera:
        return "camera", occupancy_series(camera, rng, store.opening_hour, now)
    return "none", []


def totals(counts: dict[datetime, list[int]] | None) -> int | None:
    return sum(entered for entered, _ in counts.values()) if counts else None


# --- store page ----------------------------------------------------------------------------------


def footfall_rows(store: Store, rng: ReportRange, now: datetime) -> list[dict[str, Any]]:
    """Sender and camera footfall per period, side by side, periods with any data only."""
    rows: dict[datetime, dict[str, Any]] = {}

    def row(moment: datetime) -> dict[str, Any]:
        key = day_start(moment, rng)
        return rows.setdefault(
            key,
            {
                "period": key.astimezone(rng.tz),
                "sender_entered": None,
                "sender_exited": None,
                "camera_enters": None,
                "camera_exits": None,
            },
        )

    customers = (
        HourlyCustomers.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)
        .values("hour")
        .annotate(entered=Sum("entered"), exited=Sum("exited"))
        .order_by()
    )
    for item in customers:
        if item["entered"] is None and item["exited"] is None:
            continue
        target = row(as_utc(item["hour"]))
        target["sender_entered"] = (target["sender_entered"] or 0) + (item["entered"] or 0)
        target["sender_exited"] = (target["sender_exited"] or 0) + (item["exited"] or 0)
    for item in camera_footfall(store, rng):
        target = row(as_utc(item["period"]))
        target["camera_enters"] = (target["camera_enters"] or 0) + (item["enters"] or 0)
        target["camera_exits"] = (target["camera_exits"] or 0) + (item["exits"] or 0)
    return [rows[key] for key in sorted(rows)]


def demographics(store: Store, rng: ReportRange) -> dict[str, int | None]:
    return HourlyCustomers.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc).aggregate(
        **{name: Sum(name) for name in DEMOGRAPHIC_FIELDS}
    )


def zone_rows(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    """Visitors and count-weighted average dwell per zone, busiest first."""
    rows = (
        HourlyZoneHeatmap.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)
        .values("zone__name")
        .annotate(
            visitors=Sum("visitor_count"),
            weighted=Sum(F("intensity") * F("visitor_count"), output_field=FloatField()),
            plain=Sum("intensity"),
        )
        .order_by("-visitors", "zone__name")
    )
    result = []
    for item in rows:
        visitors = item["visitors"] or 0
        dwell = round(item["weighted"] / visitors, 1) if visitors else None
        result.append({"zone": item["zone__name"], "visitors": visitors, "avg_dwell": dwell})
    top = max((item["visitors"] for item in result), default=0)
    for item in result:
        item["heat"] = round(item["visitors"] / top, 3) if top else 0.0
        item["heat_level"] = min(4, int(item["heat"] * 5))  # 0..4: five colour steps on the page
    return result


def queue_summary(store: Store, rng: ReportRange) -> dict[str, Any]:
    """Per cashier: customers, weighted average wait and its worst hour; per period: the
    store-wide weighted wait, with the worst period flagged. One query."""
    rows = (
        HourlyQueue.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)
        .values("hour", "cashier__name", "total_customers", "wait_time")
        .order_by("hour", "cashier__name")
    )
    cashiers: dict[str, dict[str, Any]] = {}
    periods: dict[datetime, list[float]] = {}
    for item in rows:
        hour = as_utc(item["hour"])
        customers, wait = item["total_customers"], item["wait_time"]
        entry = cashiers.setdefault(
            item["cashier__name"],
            {
                "cashier": item["cashier__name"],
                "customers": 0,
                "_weighted": 0.0,
                "_plain": [],
                "worst_hour": None,
                "worst_wait": None,
            },
        )
        entry["customers"] += customers
        entry["_weighted"] += wait * customers
        entry["_plain"].append(wait)
        if entry["worst_wait"] is None or wait > entry["worst_wait"]:
            entry["worst_wait"], entry["worst_hour"] = wait, hour.astimezone(rng.tz)
        bucket = periods.setdefault(day_start(hour, rng), [0.0, 0, 0.0, 0])
        bucket[0] += wait * customers
        bucket[1] += customers
        bucket[2] += wait
        bucket[3] += 1
    cashier_rows = []
    for entry in cashiers.values():
        plain = entry.pop("_plain")
        weighted = entry.pop("_weighted")
        entry["avg_wait"] = (
            round(weighted / entry["customers"], 1) if entry["customers"] else round(sum(plain) / len(plain), 1)
        )
        cashier_rows.append(entry)
    period_rows = [
        {
            "period": moment.astimezone(rng.tz),
            "customers": bucket[1],
            "avg_wait": round(bucket[0] / bucket[1], 1) if bucket[1] else round(bucket[2] / bucket[3], 1),
            "worst": False,
        }
        for moment, bucket in sorted(periods.items())
    ]
    if period_rows:
        max(period_rows, key=lambda item: item["avg_wait"])["worst"] = True
    total = sum(entry["customers"] for entry in cashier_rows)
    overall = round(sum(r["avg_wait"] * r["customers"] for r in cashier_rows) / total, 1) if total else None
    return {"cashiers": cashier_rows, "periods": period_rows, "avg_wait": overall, "customers": total}


def period_totals(store: Store, rng: ReportRange, now: datetime) -> dict[str, Any]:
    """Headline figures of one period; used for the period shown and the one before it."""
    counts = sender_hourly_counts({store.pk: window(store, rng, now)}).get(store.pk, {})
    camera = camera_hourly_counts(store, rng)
    camera_footfall = camera_total([store], {store.pk: camera}, {store.pk: (rng.start_utc, rng.end_utc)})[store.pk]
    source, occupancy = occupancy_source(store, rng, now, counts, camera)
    wait = HourlyQueue.objects.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc).aggregate(
        weighted=Sum(F("wait_time") * F("total_customers"), output_field=FloatField()), customers=Sum("total_customers")
    )
    return {
        "sender_footfall": totals(counts),
        "camera_footfall": camera_footfall,
        "occupancy_peak": max((value for _, value in occupancy), default=None),
        "occupancy_now": occupancy[-1][1] if occupancy and rng.end_utc > now else None,
        "occupancy_source": source,
        "occupancy": occupancy,
        "avg_wait": round(wait["weighted"] / wait["customers"], 1) if wait["customers"] else None,
    }


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change in percent; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round((current - previous) / previous * 100, 1)


def store_dashboard(store: Store, rng: ReportRange, now: datetime) -> dict[str, Any]:
    """Everything the store page shows, for ``rng`` and the period before it."""
    current = period_totals(store, rng, now)
    before = period_totals(store, previous_range(rng), now)
    comparison = {
        key: {"current": current[key], "previous": before[key], "change": change(current[key], before[key])}
        for key in ("sender_footfall", "camera_footfall", "occupancy_peak", "avg_wait")
    }
    devices = device_health(store, now)
    from devices.selectors import camera_demographics_totals

    return {
        "store": store,
        "range": rng,
        "previous": previous_range(rng),
        "now": now,
        "footfall": footfall_rows(store, rng, now),
        "previous_footfall": footfall_rows(store, previous_range(rng), now),
        "occupancy": [{"period": moment.astimezone(rng.tz), "inside": value} for moment, value in current["occupancy"]],
        "occupancy_source": current["occupancy_source"],
        "occupancy_now": current["occupancy_now"],
        "comparison": comparison,
        "demographics": demographics(store, rng),
        "camera_demographics": camera_demographics_totals(store, rng),
        "subtract_staff": store.subtract_staff,
        "zones": zone_rows(store, rng),
        "queues": queue_summary(store, rng),
        "devices": devices,
        "devices_offline": sum(1 for device in devices if not device.get("online")),
        "ai": store_ai_status(store, now),
        "sales": sales_panel(store, rng, previous_range(rng)),
        "sender_clock": sender_clock(store, now),
    }


# --- store list and brand view -------------------------------------------------------------------


def ai_status_from_row(store: Store, now: datetime) -> dict[str, Any]:
    """``store_ai_status`` from a heartbeat fetched with ``select_related("heartbeat")``."""
    try:
        heartbeat = store.heartbeat
    except Store.heartbeat.RelatedObjectDoesNotExist:
        heartbeat = None
    last = heartbeat.received_at if heartbeat else None
    return {
        "online": last is not None and now - last <= store.inactivity_timeout,
        "last_heartbeat": last.isoformat() if last else None,
        "last": last,
    }


def with_heartbeat(stores) -> list[Store]:
    return list(stores.select_related("tenant", "heartbeat"))


def stores_overview(stores: Iterable[Store], now: datetime) -> list[dict[str, Any]]:
    """Today's footfall, live occupancy and health of each store; a fixed number of queries
    (one per distinct time zone and source), whatever the number of stores."""
    from devices.overview import device_status_by_store, hourly_counts_by_store

    stores = list(stores)
    ranges = {store.pk: store_range(store, *[now.astimezone(ZoneInfo(store.timezone)).date()] * 2) for store in stores}
    windows = {store.pk: window(store, ranges[store.pk], now) for store in stores}
    sender_counts = sender_hourly_counts(windows)
    camera_counts = hourly_counts_by_store(windows)
    device_status = device_status_by_store(stores, now)
    conversions = conversion_today(stores, now)
    camera_footfall = camera_total(stores, camera_counts, windows)
    result = []
    for store in stores:
        rng = ranges[store.pk]
        sender, camera = sender_counts.get(store.pk, {}), camera_counts.get(store.pk, {})
        _, occupancy = occupancy_source(store, rng, now, sender, camera)
        devices, offline = device_status[store.pk]
        result.append(
            {
                "store": store,
                "sender_footfall": totals(sender),
                "camera_footfall": camera_footfall[store.pk],
                "occupancy_now": occupancy[-1][1] if occupancy else None,
                "conversion": conversions.get(store.pk),
                "ai": ai_status_from_row(store, now),
                "devices": devices,
                "devices_offline": offline,
            }
        )
    return result


def footfall_and_peaks(
    stores: list[Store], ranges: dict[int, ReportRange], first_day: date, last_day: date, now: datetime
) -> dict[int, tuple[int | None, int | None]]:
    """``{store_id: (footfall, occupancy peak)}``: the sender's counts where a store has any,
    the cameras' otherwise: from the business-day rollup plus the partial days' hourly rows
    (analytics/brand.py)."""
    from analytics import brand

    by_source = brand.footfall_and_peaks(stores, first_day, last_day, now)
    sender, camera = by_source["sender"], by_source["camera"]
    return {store.pk: sender.get(store.pk) or camera.get(store.pk) or (None, None) for store in stores}


BRAND_SORT_KEYS = (
    "name",
    "footfall",
    "occupancy_peak",
    "avg_wait",
    "devices_offline",
    "visitors",
    "visitors_vs_previous",
    "visitors_vs_year",
    "conversion",
    "conversion_vs_previous",
    "conversion_vs_year",
    "transactions",
    "revenue",
    "average_transaction_value",
    "sales_per_visitor",
)


def brand_comparison(
    stores: Iterable[Store],
    first_day: date,
    last_day: date,
    now: datetime,
    sort: str = "name",
    descending: bool = False,
) -> list[dict[str, Any]]:
    """All stores side by side over the same calendar days (each in its own time zone), in a
    fixed number of queries: one per distinct time zone for each source, none per store."""
    rows = brand_rows(list(stores), first_day, last_day, now)
    return sort_rows(rows, sort, descending)


def brand_rows(stores: list[Store], first_day: date, last_day: date, now: datetime) -> list[dict[str, Any]]:
    """The unsorted rows of ``brand_comparison``: footfall, occupancy peak, wait, devices."""
    from devices.overview import device_status_by_store

    # One range and UTC window per time zone, shared by its stores (~0.5 ms for 100 stores).
    zones: dict[str, ReportRange] = {}
    for store in stores:
        if store.timezone not in zones:
            zones[store.timezone] = store_range(store, first_day, last_day, "hour")
    windows = {zone: (rng.start_utc, rng.end_utc) for zone, rng in zones.items()}
    ranges = {store.pk: zones[store.timezone] for store in stores}
    peaks = footfall_and_peaks(stores, ranges, first_day, last_day, now)
    waits = queue_waits({store.pk: windows[store.timezone] for store in stores})
    device_status = device_status_by_store(stores, now)
    rows = []
    for store in stores:
        footfall, peak = peaks.get(store.pk, (None, None))
        weighted, customers = waits.get(store.pk, (None, None))
        devices, offline = device_status[store.pk]
        rows.append(
            {
                "store": store,
                "name": store.name,
                "footfall": footfall,
                "occupancy_peak": peak,
                "avg_wait": round(weighted / customers, 1) if customers else None,
                "devices": devices,
                "devices_offline": offline,
            }
        )
    return rows


def sort_rows(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[dict[str, Any]]:
    if sort not in BRAND_SORT_KEYS:
        sort = "name"
    # Stores without a value sort last whatever the direction: "no data" is never the best.
    present = [row for row in rows if row[sort] is not None]
    missing = [row for row in rows if row[sort] is None]
    key = (lambda row: row[sort].casefold()) if sort == "name" else (lambda row: row[sort])
    return sorted(present, key=key, reverse=descending) + sorted(missing, key=lambda row: row["name"].casefold())


def brand_view(
    stores: Iterable[Store],
    first_day: date,
    last_day: date,
    now: datetime,
    sort: str = "name",
    descending: bool = False,
    focus: int | None = None,
    heat: str | None = None,
) -> dict[str, Any]:
    """The brand page as a comparison tool: ``brand_comparison``'s rows with visitors, till
    figures and conversion against the previous period and the same weekdays a year before,
    ranks and the brand's medians, the daily series and the hour × weekday heatmap of the brand
    (or of the ``focus`` store): every heatmap figure, or only those of the ``heat`` metric
    (visitors or conversion) the page shows. See ``analytics.comparison``."""
    from analytics import comparison

    stores = list(stores)
    rows = brand_rows(stores, first_day, last_day, now)
    heat_metrics = comparison.HEAT_INPUTS[heat] if heat else comparison.HEAT_METRICS
    # The rows' device counts tell which stores count visitors with cameras: no second query.
    with_devices = {row["store"].pk for row in rows if row["devices"]}
    figures = comparison.brand_figures(
        stores, first_day, last_day, now, focus, heat_metrics=heat_metrics, with_devices=with_devices
    )
    for row in rows:
        row.update(comparison.store_columns(figures.totals[row["store"].pk]))
        row["currency"] = row["store"].currency
    medians = comparison.rank_and_median(rows, {store.currency for store in stores})
    return {
        "rows": sort_rows(rows, sort, descending),
        "medians": medians,
        "figures": figures,
        "currency": stores[0].currency if len({s.currency for s in stores}) == 1 else None,
    }


# --- chart data ----------------------------------------------------------------------------------


def period_label(moment: datetime, rng: ReportRange) -> str:
    """Axis labels in the page language: "14:00" for one day, "07.05 14:00" over days, dates per day."""
    from django.utils.formats import date_format

    if rng.granularity == "day":
        return date_format(moment, "SHORT_DATE_FORMAT")
    if rng.first_day == rng.last_day:
        return date_format(moment, "H:i")
    return date_format(moment, "d.m H:i")


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """The numbers the page's charts draw (JSON-ready), aligned on the current period's axis."""
    rng: ReportRange = data["range"]
    shift = rng.start_utc - data["previous"].start_utc
    previous = {as_utc(row["period"]) + shift: row["sender_entered"] for row in data["previous_footfall"]}
    footfall = data["footfall"]
    demo = data["demographics"]
    return {
        "footfall": {
            "labels": [period_label(row["period"], rng) for row in footfall],
            "sender": [row["sender_entered"] for row in footfall],
            "camera": [row["camera_enters"] for row in footfall],
            "previous": [previous.get(as_utc(row["period"])) for row in footfall],
        },
        "occupancy": {
            "labels": [
                period_label(row["period"], dataclasses.replace(rng, granularity="hour")) for row in data["occupancy"]
            ],
            "inside": [row["inside"] for row in data["occupancy"]],
        },
        "gender": [demo["male_count"], demo["female_count"]],
        "age": [demo["age_18_30"], demo["age_30_50"], demo["age_50_plus"]],
        "zones": {
            "labels": [row["zone"] for row in data["zones"]],
            "visitors": [row["visitors"] for row in data["zones"]],
            "dwell": [row["avg_dwell"] for row in data["zones"]],
        },
        "queues": {
            "labels": [period_label(row["period"], rng) for row in data["queues"]["periods"]],
            "wait": [row["avg_wait"] for row in data["queues"]["periods"]],
            "worst": [row["worst"] for row in data["queues"]["periods"]],
        },
    }


# --- VisitorsFlow sites --------------------------------------------------------------------------


def visitorsflow_sites(store: Store, now: datetime) -> list[dict[str, Any]]:
    """Today's counts of the store's VisitorsFlow sites (the figures the official export sends:
    in, out and people inside), with when data last arrived and whether the site is silent."""
    from django.db.models import Count

    from visitorsflow.models import InOut, Site

    tz = ZoneInfo(store.timezone)
    local = now.astimezone(tz)
    start = datetime(local.year, local.month, local.day, tzinfo=tz)
    sites = (
        Site.objects.filter(store=store)
        .annotate(
            entered=Count(
                "events", filter=Q(events__in_out=InOut.ENTERED, events__time__gte=start, events__time__lte=now)
            ),
            left=Count("events", filter=Q(events__in_out=InOut.LEFT, events__time__gte=start, events__time__lte=now)),
            passed=Count(
                "events", filter=Q(events__in_out=InOut.PASSED, events__time__gte=start, events__time__lte=now)
            ),
        )
        .order_by("ssid")
    )
    return [
        {
            "ssid": site.ssid,
            "entered": site.entered,
            "left": site.left,
            "passed": site.passed,
            "inside": max(0, site.entered - site.left),
            "last_data_at": site.last_data_at,
            "silent": site.last_data_at is None or now - site.last_data_at > timedelta(minutes=site.silence_minutes),
            "enabled": site.enabled,
            "export_failures": site.export_failures,
        }
        for site in sites
    ]
