"""The brand view's comparison figures: per store the period, the period before it and the same
weekdays a year before (364 days back), with visitors, till totals and conversion; the brand's
(or one store's) daily series and hour × weekday heatmap.

Visitors follow ``sales.selectors.visitors_by_hour``: the cameras' enters (object type 0) for a
store with devices, less the hour's staff where the store subtracts it, else the sender's
``entered``. Conversion is transactions / visitors over the hours that have both sides; hours
with one side only count in their side's sum, not in the conversion, and a set of hours without
any matched hour has no conversion (None, never 0 %).

Where it reads: whole local days (every day before the store's today) from the day rollup
``sales.ConversionDay`` (``sales.rollup``: the same sums, per day and per local hour of the
day, kept by ingest), two statements (the periods' totals, then the current period per day with
its per-hour sums); the day cut by ``now`` from the hourly rows, one more statement, only when
the period reaches today. All give rows of one shape, summed here.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from sales.selectors import conversion, money
from stores.reporting import array_params
from vislivis.database import server_bound_cursor

PERIODS = ("current", "previous", "year")
YEAR_BACK = timedelta(days=364)  # 52 weeks: the same weekdays a year before

# The hours of one (store, period), both sides: an index range scan of each, summed per hour
# (both come out unique per hour), joined on the hour. Used per (store, period) in a LATERAL
# step, so nothing is sorted or joined over all stores' hours at once (the same text in both
# branches of ``j`` below).
# The current period keeps its joined hours (the chart and heatmap need their local days and
# hours); the previous period and the year before are summed to one row inside their LATERAL
# step (only their totals are shown). The outer GROUPING SETS then sum ~36k current hours
# rather than every hour of the three periods: per store and period, per local day (the chart),
# per weekday and hour (the heatmap), the last two split by ``focus`` (the one store asked for)
# so the brand and that store come out of the same pass. The day and heatmap groups of the two
# past periods (local NULL) come out too and are ignored. Measured against the FULL JOIN of two
# LATERAL-aggregated sets over all hours, then grouped three ways: see docs/performance.md.
# ``m_*``: the hours with both sides (a side's NULL adds nothing to a sum, so each test only
# needs the other side).
# Staff: where the store subtracts it, each camera hour less that hour's work cards, never
# below 0 (devices.selectors.without_staff), as sales.rollup does.
# One store's hours of a period (r): visitors (cameras or sender) joined with the tills on the hour.
# Both branches of _SQL read it inside their LATERAL step, correlated with r.
_HOURS = """\
        FROM (
            SELECT f.hour, (CASE WHEN r.staff THEN GREATEST(0, sum(f.enters) - COALESCE(
                       (SELECT sum(w.work_card) FROM devices_hourlydemographics w
                        WHERE w.store_id = r.store_id AND w.hour = f.hour AND w.work_card > 0), 0))
                   ELSE sum(f.enters) END)::bigint AS visitors
            FROM devices_hourlyfootfall f
            WHERE r.cam AND f.store_id = r.store_id AND f.object_type = 0 AND f.hour >= r.lo AND f.hour < r.hi
            GROUP BY f.hour
            UNION ALL
            SELECT c.hour, sum(c.entered)::bigint FROM analytics_hourlycustomers c
            WHERE NOT r.cam AND c.store_id = r.store_id AND c.hour >= r.lo AND c.hour < r.hi AND c.entered IS NOT NULL
            GROUP BY c.hour
        ) v FULL JOIN (
            SELECT t.hour, sum(t.transactions)::bigint AS transactions, sum(t.revenue) AS revenue
            FROM sales_hourlysales t
            WHERE t.store_id = r.store_id AND t.hour >= r.lo AND t.hour < r.hi
            GROUP BY t.hour
        ) s ON s.hour = v.hour
"""
# _HOURS is this module's constant; every value is a parameter.
_SQL = f"""
WITH r AS (
    SELECT * FROM unnest(%(stores)s::bigint[], %(periods)s::int[], %(los)s::timestamptz[],
                         %(his)s::timestamptz[], %(cams)s::bool[], %(staff)s::bool[], %(tzs)s::text[],
                         %(focus)s::bool[])
      AS r(store_id, period, lo, hi, cam, staff, tz, focus)
),
j AS (
    SELECT r.store_id, r.period, r.focus, x.hour AT TIME ZONE r.tz AS local, x.*
    FROM r CROSS JOIN LATERAL (
        SELECT COALESCE(v.hour, s.hour) AS hour, v.visitors, s.transactions, s.revenue,
               CASE WHEN s.transactions IS NOT NULL THEN v.visitors END AS m_visitors,
               CASE WHEN v.visitors IS NOT NULL THEN s.transactions END AS m_transactions,
               CASE WHEN v.visitors IS NOT NULL AND s.transactions IS NOT NULL THEN s.revenue END AS m_revenue,
               (v.visitors IS NOT NULL AND s.transactions IS NOT NULL)::int AS m_hours

{_HOURS}    ) x
    WHERE r.period = 0
    UNION ALL
    SELECT r.store_id, r.period, r.focus, NULL, x.*
    FROM r CROSS JOIN LATERAL (
        SELECT NULL::timestamptz AS hour, sum(v.visitors)::bigint AS visitors,
               sum(s.transactions)::bigint AS transactions, sum(s.revenue) AS revenue,
               sum(v.visitors) FILTER (WHERE s.transactions IS NOT NULL)::bigint AS m_visitors,
               sum(s.transactions) FILTER (WHERE v.visitors IS NOT NULL)::bigint AS m_transactions,
               sum(s.revenue) FILTER (WHERE v.visitors IS NOT NULL AND s.transactions IS NOT NULL) AS m_revenue,
               count(*) FILTER (WHERE v.visitors IS NOT NULL AND s.transactions IS NOT NULL) AS m_hours

{_HOURS}    ) x
    WHERE r.period <> 0
)
SELECT GROUPING(store_id) AS g_store, GROUPING(local::date) AS g_day,
       store_id, period, focus, local::date AS day,
       extract(isodow FROM local)::int AS dow, extract(hour FROM local)::int AS hr,
       sum(visitors)::bigint, sum(transactions)::bigint, sum(revenue),
       sum(m_visitors)::bigint, sum(m_transactions)::bigint, sum(m_revenue), sum(m_hours)::bigint
FROM j
GROUP BY GROUPING SETS ((store_id, period), (period, focus, local::date), (period, focus, dow, hr))
"""  # noqa: S608

# The whole days of each (store, period) from the day rollup, in the row shape of _SQL above:
# per store and period (g_store 0), read index-only (the rollup's key index covers the sums).
# Stores of one time zone share their periods' days: each store names its group, each group's
# periods come once (per store and period, the 6 × 300 parameters for 100 stores cost ~2 ms of
# client CPU to send, twice, as psycopg dumps array parameters element by element; they go as
# array literals now, ``stores.reporting.array_literal``).
_DAY_RANGES = """
WITH w AS (
    SELECT * FROM unnest(%(window_groups)s::int[], %(periods)s::int[], %(firsts)s::date[], %(lasts)s::date[])
      AS w(grp, period, first_day, last_day)
),
r AS (
    SELECT s.store_id, w.period, w.first_day, w.last_day, s.source, s.focus
    FROM unnest(%(stores)s::bigint[], %(groups)s::int[], %(sources)s::text[], %(focus)s::bool[])
      AS s(store_id, grp, source, focus)
    JOIN w ON w.grp = s.grp
)
"""
_SUMS = """sum(c.visitors)::bigint, sum(c.transactions)::bigint, sum(c.revenue), sum(c.matched_visitors)::bigint,
       sum(c.matched_transactions)::bigint, sum(c.matched_revenue), sum(c.hours_matched)::bigint"""
_JOIN = """FROM r JOIN sales_conversionday c
  ON c.store_id = r.store_id AND c.source = r.source AND c.day BETWEEN r.first_day AND r.last_day"""
# The last column: which local hours (bits 0–23) the current period's day rows have data in,
# so the per-hour statement below sums only those positions (a store open 10–22 has 12).
# Summed inside a LATERAL step per (store, period), ~30 index entries each, as analytics.brand
# does: a join grouped afterwards sorted all 9,000 rows first (backend CPU 8–9 ms → 4.7 ms for
# 100 stores × three 30-day periods). HAVING: a (store, period) without rows stays absent, as
# from the join (an aggregate without GROUP BY would give it a row of NULLs).
_DAY_TOTALS_SQL = f"""{_DAY_RANGES}
SELECT 0, 1, r.store_id, r.period, r.focus, NULL::date, NULL::int, NULL::int, x.*
FROM r CROSS JOIN LATERAL (
    SELECT {_SUMS}, bit_or(c.hour_mask) FILTER (WHERE r.period = 0)
    FROM sales_conversionday c
    WHERE c.store_id = r.store_id AND c.source = r.source AND c.day BETWEEN r.first_day AND r.last_day
    HAVING count(*) > 0
) x
"""  # noqa: S608
# The current period per local day (the chart) with, per local hour n of the day that has data,
# the sums the heatmap needs (visitors, transactions, conversion's matched sums): one aggregate
# per array position, so ~60 rows come back however many stores; weekdays are summed in Python.
# Each position costs ~3 ms of backend CPU per array for 100 stores × 30 days (3,000 rows), so
# only the arrays of the metric shown are summed (``HEAT_INPUTS``); which hours of a day have
# data at all comes from the rows' ``hour_mask`` (the rollup sets a bit where the hour has
# visitors or till data), one bit_or per row.
HEAT_METRICS = ("visitors", "transactions", "matched_visitors", "matched_transactions", "matched")
HEAT_INPUTS = {"visitors": ("visitors",), "conversion": ("matched_visitors", "matched_transactions", "matched")}
_DAY_HOURS_SQL = f"""{_DAY_RANGES}
SELECT r.focus, c.day, {_SUMS}, bit_or(c.hour_mask),
       {{hour_sums}}
{_JOIN}
WHERE r.period = 0
GROUP BY r.focus, c.day
"""  # noqa: S608
_day_hours_sql: dict[tuple[tuple[int, ...], tuple[str, ...]], str] = {}


def day_hours_sql(hours: tuple[int, ...], metrics: tuple[str, ...] = HEAT_METRICS) -> str:
    """``_DAY_HOURS_SQL`` summing the positions of local ``hours`` of the ``metrics`` arrays only
    (one text per set of hours and metrics, a handful per brand, each prepared once per connection)."""
    key = (hours, metrics)
    if key not in _day_hours_sql:
        sums = ",\n       ".join(", ".join(f"sum(c.hour_{metric}[{hour + 1}])" for hour in hours) for metric in metrics)
        _day_hours_sql[key] = _DAY_HOURS_SQL.replace("{hour_sums}", sums or "NULL")
    return _day_hours_sql[key]


@dataclass
class Totals:
    """Visitors and till sums of a set of hours, and the sums of the hours that have both."""

    visitors: int | None = None
    transactions: int | None = None
    revenue: Decimal | None = None
    matched_visitors: int = 0
    matched_transactions: int = 0
    matched_revenue: Decimal = field(default_factory=Decimal)
    hours_matched: int = 0

    def add(self, other: Totals) -> None:
        for name in ("visitors", "transactions", "revenue"):
            value = getattr(other, name)
            if value is not None:
                setattr(self, name, (getattr(self, name) or 0) + value)
        self.matched_visitors += other.matched_visitors
        self.matched_transactions += other.matched_transactions
        self.matched_revenue += other.matched_revenue
        self.hours_matched += other.hours_matched

    @property
    def conversion(self) -> float | None:
        return conversion(self.matched_transactions, self.matched_visitors, self.hours_matched)

    @property
    def average_transaction_value(self) -> Decimal | None:
        return money(self.revenue / self.transactions) if self.transactions else None

    @property
    def sales_per_visitor(self) -> Decimal | None:
        if not self.hours_matched or not self.matched_visitors:
            return None
        return money(self.matched_revenue / self.matched_visitors)


def _totals(row: tuple) -> Totals:
    visitors, transactions, revenue, m_visitors, m_transactions, m_revenue, matched = row
    return Totals(
        visitors,
        transactions,
        revenue,
        m_visitors or 0,
        m_transactions or 0,
        m_revenue or Decimal(0),
        matched or 0,
    )


def period_days(first_day: date, last_day: date) -> dict[str, tuple[date, date]]:
    """The period shown, the same number of days right before it, and its days 364 days back."""
    span = last_day - first_day + timedelta(days=1)
    return {
        "current": (first_day, last_day),
        "previous": (first_day - span, last_day - span),
        "year": (first_day - YEAR_BACK, last_day - YEAR_BACK),
    }


@dataclass
class BrandFigures:
    totals: dict[int, dict[str, Totals]]  # store id → period → totals
    daily: dict[str, dict[date, Totals]]  # "brand" | "store" → local day → totals (current period)
    heatmap: dict[str, dict[tuple[int, int], Totals]]  # "brand" | "store" → (ISO weekday, hour) → totals
    days: dict[str, tuple[date, date]]


def _day_rows(fetched: list[tuple], hours: tuple[int, ...], metrics: tuple[str, ...] = HEAT_METRICS) -> list[tuple]:
    """``day_hours_sql(hours, metrics)`` rows in the row shape of ``_SQL``: one per (focus, day) for
    the chart, one per (focus, ISO weekday, local hour) with data for the heatmap. A heatmap cell
    carries the sums of ``metrics`` (all: visitors, transactions and conversion's matched sums;
    the others stay None or 0); its revenue is not kept per hour."""
    rows: list[tuple] = []
    cells: dict[tuple[bool, int, int], list] = {}
    width = len(hours)
    nothing = (None,) * width
    for is_focus, day, *values in fetched:
        rows.append((1, 0, None, 0, is_focus, day, None, None, *values[:7]))
        mask = values[7]
        sums = {metric: values[8 + width * k : 8 + width * (k + 1)] for k, metric in enumerate(metrics)}
        v, t, mv, mt, mh = (sums.get(metric, nothing) for metric in HEAT_METRICS)
        dow = day.isoweekday()
        for n, hour in enumerate(hours):
            if not mask >> hour & 1:  # neither visitors nor till data in this hour of the day
                continue
            cell = cells.setdefault((is_focus, dow, hour), [None, None, 0, 0, 0])
            if v[n] is not None:
                cell[0] = (cell[0] or 0) + v[n]
            if t[n] is not None:
                cell[1] = (cell[1] or 0) + t[n]
            cell[2] += mv[n] or 0
            cell[3] += mt[n] or 0
            cell[4] += mh[n] or 0
    for (is_focus, dow, hour), (v, t, mv, mt, mh) in cells.items():
        rows.append((1, 1, None, 0, is_focus, None, dow, hour, v, t, None, mv, mt, None, mh))
    return rows


def _windows(
    tz: ZoneInfo, first: date, last: date, now: datetime, from_rollup: bool
) -> tuple[tuple[date, date] | None, tuple[datetime, datetime] | None]:
    """One period of one time zone: the whole local days to read from the rollup (every day
    before today, the day containing ``now``), and the UTC hour range to read from hourly rows
    (the part of today up to ``now`` in the period; without the rollup, the whole period)."""
    lo = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    hi = min(datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC), now)
    if not from_rollup:
        return None, (lo, hi) if lo < hi else None
    today = now.astimezone(tz).date()
    whole_last = min(last, today - timedelta(days=1))
    whole = (first, whole_last) if first <= whole_last else None
    hours = None
    if first <= today <= last:
        start = max(lo, datetime.combine(today, time.min, tzinfo=tz).astimezone(UTC))
        hours = (start, hi) if start < hi else None
    return whole, hours


def brand_figures(
    stores: list,
    first_day: date,
    last_day: date,
    now: datetime,
    focus: int | None = None,
    *,
    compare: bool = True,
    from_rollup: bool = True,
    heat_metrics: tuple[str, ...] = HEAT_METRICS,
    with_devices: set[int] | None = None,
) -> BrandFigures:
    """Every comparison number of the brand page for ``stores`` (``compare`` False: the period
    itself only, e.g. the store list's today). Whole days from ``sales.ConversionDay``, the day
    cut by ``now`` from hourly rows: at most three statements. ``from_rollup`` False reads every
    hour from the hourly rows instead (the direct computation the rollup must equal).
    ``heat_metrics``: the heatmap sums read from the rollup (``HEAT_INPUTS[metric]``: what one
    heatmap shows); a cell's other sums are then incomplete (only the hours of today, read from
    hourly rows, carry them). ``with_devices``: the ids of the stores that have a device (their
    visitors are the cameras'), when the caller knows them already; else one query."""
    from devices.models import Device

    days = period_days(first_day, last_day)
    if with_devices is None:
        with_devices = set(
            Device.objects.filter(store__in=stores).values_list("store_id", flat=True).distinct().order_by()
        )
    hourly: dict[str, list] = {k: [] for k in ("stores", "periods", "los", "his", "cams", "staff", "tzs", "focus")}
    daily: dict[str, list] = {
        k: [] for k in ("stores", "groups", "sources", "focus", "window_groups", "periods", "firsts", "lasts")
    }
    periods = PERIODS if compare else PERIODS[:1]
    windows: dict[tuple[str, str], tuple] = {}
    groups: dict[str, int] = {}  # time zone → its group of _DAY_RANGES
    for store in stores:
        cam = store.pk in with_devices
        if store.timezone not in groups:
            group = groups[store.timezone] = len(groups)
            for index, name in enumerate(periods):
                windows[(store.timezone, name)] = _windows(ZoneInfo(store.timezone), *days[name], now, from_rollup)
                whole = windows[(store.timezone, name)][0]
                if whole is not None:
                    daily["window_groups"].append(group)
                    daily["periods"].append(index)
                    daily["firsts"].append(whole[0])
                    daily["lasts"].append(whole[1])
        daily["stores"].append(store.pk)
        daily["groups"].append(groups[store.timezone])
        daily["sources"].append("camera" if cam else "sender")
        daily["focus"].append(store.pk == focus)
        for index, name in enumerate(periods):
            hours = windows[(store.timezone, name)][1]
            if hours is not None:
                values = (store.pk, index, *hours, cam, store.subtract_staff, store.timezone, store.pk == focus)
                for column, value in zip(hourly, values, strict=True):
                    hourly[column].append(value)
    result = BrandFigures(
        {store.pk: {} for store in stores}, {"brand": {}, "store": {}}, {"brand": {}, "store": {}}, days
    )
    rows: list = []
    # A transaction only for the SET LOCALs below (each statement reads its own snapshot either way).
    with transaction.atomic():
        with server_bound_cursor() as cursor:
            if daily["stores"] and daily["periods"]:
                daily_params = array_params(daily)  # sent twice: as literals, ~0.5 ms less client CPU
                cursor.execute(_DAY_TOTALS_SQL, daily_params, prepare=True)
                mask = 0
                for *row, hour_mask in cursor.fetchall():
                    rows.append(tuple(row))
                    mask |= hour_mask or 0
                hours = tuple(hour for hour in range(24) if mask >> hour & 1)
                if hours:
                    # Grouped by hashing, not by sorting the ~3,000 wide day rows first: the planner
                    # expects one row from the unnested parameters and sorts; hashed, the statement
                    # took ~6 instead of ~8.5 ms of backend CPU for 100 stores × 30 days.
                    cursor.execute("SET LOCAL enable_sort = off")
                    cursor.execute(day_hours_sql(hours, heat_metrics), daily_params, prepare=True)
                    rows += _day_rows(cursor.fetchall(), hours, heat_metrics)
                    cursor.execute("SET LOCAL enable_sort = on")
            if hourly["stores"]:
                # Headroom for the GROUPING SETS hash over the hours read (under 2 MB for 100
                # stores × a month when every hour is read; a day's hours are far less): an
                # earlier shape that sorted every hour spilled to disk at the default 4 MB.
                # SET LOCAL ends with the transaction.
                cursor.execute("SET LOCAL work_mem = '32MB'")
                cursor.execute(_SQL, array_params(hourly), prepare=True)
                rows += cursor.fetchall()
    for g_store, g_day, store_id, period, is_focus, day, dow, hour, *sums in rows:
        totals = _totals(tuple(sums))
        if not g_store:
            # Each (store, period) comes once from the rollup (once more for today's hours):
            # kept as it is rather than added to an empty Totals (300 rows: ~0.3 ms).
            periods, name = result.totals[store_id], PERIODS[period]
            if name in periods:
                periods[name].add(totals)
            else:
                periods[name] = totals
            continue
        if period != 0:
            continue
        targets = ("brand", "store") if is_focus else ("brand",)
        for target in targets:
            bucket = result.daily[target] if not g_day else result.heatmap[target]
            bucket.setdefault(day if not g_day else (dow, hour), Totals()).add(totals)
    return result


def change(current: float | Decimal | None, previous: float | Decimal | None) -> float | None:
    """Relative change in percent (one decimal); None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round(float((current - previous) / previous) * 100, 1)


METRICS = ("visitors", "transactions", "conversion", "revenue", "average_transaction_value", "sales_per_visitor")
MONEY_METRICS = ("revenue", "average_transaction_value", "sales_per_visitor")


_COLUMNS = tuple((metric, f"{metric}_vs_previous", f"{metric}_vs_year") for metric in METRICS)
_NO_TOTALS = Totals()  # a period without rows (only read)


# The values of ``METRICS`` (in that order) of a Totals, each property computed once.
_metric_values = attrgetter(*METRICS)
_VISITORS, _CONVERSION = METRICS.index("visitors"), METRICS.index("conversion")


def _points(value: float | None, past: float | None) -> float | None:
    """The change of a rate (conversion) in percentage points, one decimal."""
    return None if value is None or past is None else round(value - past, 1)


def store_columns(totals: dict[str, Totals]) -> dict[str, Any]:
    """The brand table's figures of one store: each metric now, against the period before and
    against the same weekdays a year before (changes in percent; for conversion in points).
    Each period's metrics are computed once (100 stores: ~2 → ~1 ms of the page's CPU)."""
    now, before, year = (_metric_values(totals.get(name, _NO_TOTALS)) for name in PERIODS)
    row: dict[str, Any] = {}
    for (metric, vs_previous, vs_year), value, previous, past_year in zip(_COLUMNS, now, before, year, strict=True):
        row[metric] = value
        compare = _points if metric == "conversion" else change
        row[vs_previous] = compare(value, previous)
        row[vs_year] = compare(value, past_year)
    row["previous_visitors"], row["year_visitors"] = before[_VISITORS], year[_VISITORS]
    row["previous_conversion"], row["year_conversion"] = before[_CONVERSION], year[_CONVERSION]
    return row


RANKED = ("visitors", "visitors_vs_previous", "visitors_vs_year", "conversion", "transactions", "sales_per_visitor")


def rank_and_median(rows: list[dict[str, Any]], currencies: set[str]) -> dict[str, Any]:
    """Rank 1 = highest, per metric, among stores that have it; the brand's median of each.
    Money is compared only when every store keeps the same currency."""
    medians: dict[str, Any] = {}
    for metric in (*RANKED, "conversion_vs_previous", "conversion_vs_year", "revenue", "average_transaction_value"):
        if metric in MONEY_METRICS and len(currencies) > 1:
            medians[metric] = None
            continue
        values = [row[metric] for row in rows if row.get(metric) is not None]
        medians[metric] = statistics.median(values) if values else None
        if metric in RANKED:
            ordered = sorted(values, reverse=True)
            for row in rows:
                value = row.get(metric)
                row[f"{metric}_rank"] = None if value is None else ordered.index(value) + 1
    return medians


WEEKDAYS = range(1, 8)  # ISO: Monday 1 … Sunday 7


def heatmap_grid(cells: dict[tuple[int, int], Totals], metric: str) -> dict[str, Any]:
    """Rows per weekday, columns per local hour that has any data; each cell the ``metric``
    (visitors or conversion) and a 0–4 colour step relative to the grid's highest value."""
    hours = sorted({hour for _, hour in cells})
    values = {key: getattr(totals, metric) for key, totals in cells.items()}
    top = max((value for value in values.values() if value is not None), default=0)
    rows = []
    for dow in WEEKDAYS:
        row = []
        for hour in hours:
            value = values.get((dow, hour))
            level = None if value is None or not top else min(4, int(value / top * 5))
            row.append({"hour": hour, "value": value, "level": level})
        rows.append({"dow": dow, "cells": row})
    return {"hours": hours, "rows": rows, "metric": metric}


def chart_series(figures: BrandFigures, first_day: date, last_day: date) -> dict[str, Any]:
    """The chart's daily visitors (bars) and conversion (line) of the brand and the focus store,
    one value per day of the period (None where a day has none: a gap, not a zero)."""
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]

    def series(target: str, metric: str) -> list:
        values = [getattr(figures.daily[target].get(day, Totals()), metric) for day in days]
        return [float(v) if isinstance(v, Decimal) else v for v in values]

    return {
        "labels": [day.isoformat() for day in days],
        "brand_visitors": series("brand", "visitors"),
        "brand_conversion": series("brand", "conversion"),
        "store_visitors": series("store", "visitors") if figures.daily["store"] else None,
        "store_conversion": series("store", "conversion") if figures.daily["store"] else None,
    }
