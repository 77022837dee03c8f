"""Keeps ``StoreDay`` (footfall and occupancy peak per store, source and business day) current.

Why a rollup: the brand page needs, per store over a month, the footfall and the occupancy
peak; occupancy resets at the store's opening hour, so a business day is independent of every
other and a month's peak is the maximum of its days' peaks. Deriving them from hourly rows on
every request grows with the rows stored (~430 ms for 100 stores × a month); reading one row
per store-day does not.

Who writes: every path that changes hourly counts calls ``refresh`` for the hours it touched
(camera ingest, sender upserts, demo loaders), and whatever re-keys or bulk-writes days calls
``rebuild`` (a store's time zone or opening hour change, the bench loader, the
``rebuild_store_days`` command). The recompute is one SQL statement with the same closed form
as ``analytics/brand.py``.

Concurrency (READ COMMITTED): two cameras of one store may push at once. Each
transaction first takes a transaction-scoped advisory lock per (store, source, business day)
in sorted order (one statement), then recomputes in the next statement, whose snapshot then
includes whatever the previous lock holder committed. So the last writer always recomputes
from both transactions' hourly rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from analytics.models import StoreDay
from sales import rollup
from stores.signals import hourly_writes_batched, is_batched
from vislivis.database import server_bound_cursor

SENDER, CAMERA = StoreDay.Source.SENDER.value, StoreDay.Source.CAMERA.value
SOURCES = (SENDER, CAMERA)
HOUR = timedelta(hours=1)
_DAY_REACH = timedelta(hours=36)

# The business day ("segment") of an hour, in SQL; analytics/brand.py uses the very same text.
SEGMENT_SQL = "date_trunc('day', ({hour} AT TIME ZONE {tz}) - make_interval(hours => {opening}))::date"

# What counts, per source. Demographics-only sender rows carry no counts: they neither make a
# store "sender-counted" nor create a day. Camera footfall is object type 0 over all devices.
COUNT_TABLES = {
    SENDER: {
        "table": "analytics_hourlycustomers",
        "enters": "entered",
        "exits": "exited",
        "condition": "(t.entered IS NOT NULL OR t.exited IS NOT NULL)",
    },
    CAMERA: {"table": "devices_hourlyfootfall", "enters": "enters", "exits": "exits", "condition": "t.object_type = 0"},
}

# Advisory lock key: store id in the high bits, then the day number and the source bit. One
# bigint key space (the two-int form of pg_advisory_xact_lock is a separate space).
# Identifiers are this module's constants; every value is a parameter (also below).
_LOCK_SQL = f"""
SELECT count(*) FROM (
    SELECT pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT (%(store)s::bigint << 20)
               + (({SEGMENT_SQL.format(hour="h", tz="s.timezone", opening="s.opening_hour")} - DATE '2000-01-01') * 2
               + %(bit)s) AS k
        FROM unnest(%(hours)s::timestamptz[]) AS h, stores_store s
        WHERE s.id = %(store)s
        ORDER BY k
    ) keys
) locked
"""  # noqa: S608

# Recompute the days containing %(hours)s of one store and source: upsert the days that have
# counts, delete the ones that no longer do. Hours are read with a margin around each day's
# nominal bounds and kept by segment, so DST days and odd opening hours cannot lose an hour.
_REFRESH_SQL = """
WITH p AS (
    SELECT s.id, s.timezone AS tz, s.opening_hour AS opening FROM stores_store s WHERE s.id = %(store)s
),
days AS (
    SELECT DISTINCT {seg_h} AS d FROM unnest(%(hours)s::timestamptz[]) AS h, p
),
bounds AS (
    SELECT days.d, (days.d + make_interval(hours => p.opening)) AT TIME ZONE p.tz AS starts_at,
           (days.d + 1 + make_interval(hours => p.opening)) AT TIME ZONE p.tz AS ends_at
    FROM days, p
),
hourly AS (
    SELECT b.d, t.hour, sum(COALESCE(t.{enters}, 0)) AS enters,
           sum(COALESCE(t.{enters}, 0)) - sum(COALESCE(t.{exits}, 0)) AS delta
    FROM bounds b JOIN {table} t
      ON t.store_id = %(store)s
     AND t.hour >= b.starts_at - interval '3 hours' AND t.hour < b.ends_at + interval '3 hours'
     -- Constant bounds as well, so the (store, ..., hour) index reads this range only (joined
     -- bounds alone left the planner reading every hour of the store, growing with history).
     AND t.hour >= %(lo)s AND t.hour < %(hi)s
    CROSS JOIN p
    WHERE {condition} AND {seg_t} = b.d
    GROUP BY b.d, t.hour
),
segmented AS (SELECT hourly.*, p.tz FROM hourly CROSS JOIN p),
{day_ctes}
up AS (
    INSERT INTO analytics_storeday
        (store_id, source, business_date, {part_columns}, starts_at, ends_at, updated_at)
    SELECT %(store)s, %(source)s, a.d, {part_values}, b.starts_at, b.ends_at, now()
    FROM agg a JOIN bounds b ON b.d = a.d
    {upsert}
),
gone AS (
    DELETE FROM analytics_storeday sd USING days
    WHERE sd.store_id = %(store)s AND sd.source = %(source)s AND sd.business_date = days.d
      AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.d = days.d)
    RETURNING 1
)
SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM gone)
"""

# From ``segmented`` (hourly counts with their business day ``d`` and the store's ``tz``), per
# ``{key}`` (a day, or a source, store and day): the day's totals and its two parts around local
# midnight (StoreDay's docstring). Hours of a business day fall on its own local date ("before")
# or the next one ("after"); occupancy is the closed form of analytics/brand.py, per day and per
# part. Shared by the refresh and the rebuild statements.
_DAY_CTES = """running AS (
    SELECT {key}, hour, enters, after,
           sum(delta) OVER (PARTITION BY {key} ORDER BY hour) AS s,
           sum(delta) OVER (PARTITION BY {key}, after ORDER BY hour) AS s_part
    FROM (SELECT segmented.*, (hour AT TIME ZONE tz)::date > d AS after FROM segmented) x
),
occupancy AS (
    SELECT {key}, enters, after,
           s - LEAST(0, min(s) OVER (PARTITION BY {key} ORDER BY hour)) AS inside,
           s_part - LEAST(0, min(s_part) OVER (PARTITION BY {key}, after ORDER BY hour)) AS inside_part
    FROM running
),
agg AS (
    SELECT {key}, sum(enters)::bigint AS footfall, max(inside)::bigint AS occupancy_peak,
           (sum(enters) FILTER (WHERE NOT after))::bigint AS before_midnight_footfall,
           (max(inside_part) FILTER (WHERE NOT after))::bigint AS before_midnight_peak,
           (sum(enters) FILTER (WHERE after))::bigint AS after_midnight_footfall,
           (max(inside_part) FILTER (WHERE after))::bigint AS after_midnight_peak
    FROM occupancy GROUP BY {key}
),"""
PART_COLUMNS = (
    "footfall",
    "occupancy_peak",
    "before_midnight_footfall",
    "before_midnight_peak",
    "after_midnight_footfall",
    "after_midnight_peak",
)
_UPSERT_SQL = (
    "ON CONFLICT (store_id, source, business_date) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in (*PART_COLUMNS, "starts_at", "ends_at", "updated_at"))
    + " RETURNING 1"
)


def _upsert_parts(key: str) -> dict[str, str]:
    return {
        "day_ctes": _DAY_CTES.format(key=key),
        "part_columns": ", ".join(PART_COLUMNS),
        "part_values": ", ".join(f"a.{name}" for name in PART_COLUMNS),
        "upsert": _UPSERT_SQL,
    }


_REFRESH = {
    source: _REFRESH_SQL.format(
        seg_h=SEGMENT_SQL.format(hour="h", tz="p.tz", opening="p.opening"),
        seg_t=SEGMENT_SQL.format(hour="t.hour", tz="p.tz", opening="p.opening"),
        **_upsert_parts("d"),
        **names,
    )
    for source, names in COUNT_TABLES.items()
}

# Every day of the selected stores (NULL: all), both sources, in one statement: upsert what
# the hourly rows give, delete every other row of those stores (days without counts any more,
# or keyed under a previous time zone / opening hour).
_REBUILD_HOURLY = """
    SELECT '{source}'::varchar AS source, t.store_id, t.hour, sum(COALESCE(t.{enters}, 0)) AS enters,
           sum(COALESCE(t.{enters}, 0)) - sum(COALESCE(t.{exits}, 0)) AS delta
    FROM {table} t JOIN p ON p.id = t.store_id
    WHERE {condition}
    GROUP BY t.store_id, t.hour
"""
_REBUILD_TEMPLATE = """
WITH p AS (
    SELECT s.id, s.timezone AS tz, s.opening_hour AS opening FROM stores_store s
    WHERE %(stores)s::bigint[] IS NULL OR s.id = ANY(%(stores)s::bigint[])
),
hourly AS ({sender} UNION ALL {camera}),
segmented AS (
    SELECT h.source, h.store_id, h.hour, h.enters, h.delta, {seg} AS d, p.tz
    FROM hourly h JOIN p ON p.id = h.store_id
),
{day_ctes}
up AS (
    INSERT INTO analytics_storeday
        (store_id, source, business_date, {part_columns}, starts_at, ends_at, updated_at)
    SELECT a.store_id, a.source, a.d, {part_values},
           (a.d + make_interval(hours => p.opening)) AT TIME ZONE p.tz,
           (a.d + 1 + make_interval(hours => p.opening)) AT TIME ZONE p.tz, now()
    FROM agg a JOIN p ON p.id = a.store_id
    {upsert}
),
gone AS (
    DELETE FROM analytics_storeday sd USING p
    WHERE sd.store_id = p.id
      AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.store_id = sd.store_id AND agg.source = sd.source
                      AND agg.d = sd.business_date)
    RETURNING 1
)
SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM gone)
"""
_REBUILD_SQL = _REBUILD_TEMPLATE.format(
    sender=_REBUILD_HOURLY.format(source=SENDER, **COUNT_TABLES[SENDER]),
    camera=_REBUILD_HOURLY.format(source=CAMERA, **COUNT_TABLES[CAMERA]),
    seg=SEGMENT_SQL.format(hour="h.hour", tz="p.tz", opening="p.opening"),
    **_upsert_parts("source, store_id, d"),
)


# The same two statements for many stores at once (the camera applier's batch): one lock
# statement over every (store, day) key in the same sorted order, one recompute keyed by store and
# day. Hourly rows are found per (store, day) through the (store, …, hour) index.
_LOCK_MANY_SQL = f"""
SELECT count(*) FROM (
    SELECT pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT (i.store << 20)
               + (({SEGMENT_SQL.format(hour="i.h", tz="s.timezone", opening="s.opening_hour")} - DATE '2000-01-01') * 2
               + %(bit)s) AS k
        FROM unnest(%(stores)s::bigint[], %(hours)s::timestamptz[]) AS i(store, h)
        JOIN stores_store s ON s.id = i.store
        ORDER BY k
    ) keys
) locked
"""  # noqa: S608

_REFRESH_MANY_SQL = """
WITH input AS (SELECT * FROM unnest(%(stores)s::bigint[], %(hours)s::timestamptz[]) AS i(store, h)),
p AS (
    SELECT s.id, s.timezone AS tz, s.opening_hour AS opening FROM stores_store s
    WHERE s.id IN (SELECT DISTINCT store FROM input)
),
days AS (
    SELECT DISTINCT p.id AS store, {seg_h} AS d FROM input JOIN p ON p.id = input.store
),
bounds AS (
    SELECT days.store, days.d, (days.d + make_interval(hours => p.opening)) AT TIME ZONE p.tz AS starts_at,
           (days.d + 1 + make_interval(hours => p.opening)) AT TIME ZONE p.tz AS ends_at
    FROM days JOIN p ON p.id = days.store
),
hourly AS (
    SELECT b.store, b.d, t.hour, sum(COALESCE(t.{enters}, 0)) AS enters,
           sum(COALESCE(t.{enters}, 0)) - sum(COALESCE(t.{exits}, 0)) AS delta
    FROM bounds b JOIN p ON p.id = b.store
    JOIN {table} t
      ON t.store_id = b.store
     AND t.hour >= b.starts_at - interval '3 hours' AND t.hour < b.ends_at + interval '3 hours'
    WHERE {condition} AND {seg_t} = b.d
    GROUP BY b.store, b.d, t.hour
),
segmented AS (SELECT hourly.*, p.tz FROM hourly JOIN p ON p.id = hourly.store),
{day_ctes}
up AS (
    INSERT INTO analytics_storeday
        (store_id, source, business_date, {part_columns}, starts_at, ends_at, updated_at)
    SELECT a.store, %(source)s, a.d, {part_values}, b.starts_at, b.ends_at, now()
    FROM agg a JOIN bounds b ON b.store = a.store AND b.d = a.d
    {upsert}
),
gone AS (
    DELETE FROM analytics_storeday sd USING days
    WHERE sd.store_id = days.store AND sd.source = %(source)s AND sd.business_date = days.d
      AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.store = days.store AND agg.d = days.d)
    RETURNING 1
)
SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM gone)
"""
_REFRESH_MANY = {
    source: _REFRESH_MANY_SQL.format(
        seg_h=SEGMENT_SQL.format(hour="input.h", tz="p.tz", opening="p.opening"),
        seg_t=SEGMENT_SQL.format(hour="t.hour", tz="p.tz", opening="p.opening"),
        **_upsert_parts("store, d"),
        **names,
    )
    for source, names in COUNT_TABLES.items()
}


# --- the business day in Python (the brand reader's and the dashboards' window arithmetic) -------


def segment_of(hour: datetime, tz: ZoneInfo, opening_hour: int) -> date:
    """The business day of a UTC ``hour``: ``SEGMENT_SQL`` in Python (local wall time minus the
    opening hour, truncated to the date)."""
    return (hour.astimezone(tz).replace(tzinfo=None) - timedelta(hours=opening_hour)).date()


# --- maintenance ---------------------------------------------------------------------------------

# The per-row receivers' switch is the floor's (stores.signals): a feed batches its hourly writes
# without importing this rollup.
deferred = hourly_writes_batched
is_deferred = is_batched


def hours_of(moments: Iterable[datetime]) -> list[datetime]:
    """The distinct UTC hour starts of ``moments`` (what ``refresh`` takes), sorted."""
    return sorted({moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for moment in moments})


def lock_statement(store_id: int, source: str, hours: list[datetime]) -> tuple[str, dict]:
    """SQL and parameters of the advisory-lock statement (the devices fast path runs it itself)."""
    return _LOCK_SQL, {"store": store_id, "bit": SOURCES.index(source), "hours": hours}


def refresh_statement(store_id: int, source: str, hours: list[datetime]) -> tuple[str, dict]:
    """SQL and parameters of the recompute statement (run after ``lock_statement``)."""
    # A business day is at most 25 hours long and lies within a day and a half of any of its
    # hours whatever the zone: a superset of every day these hours belong to.
    lo, hi = min(hours) - _DAY_REACH, max(hours) + _DAY_REACH
    return _REFRESH[source], {"store": store_id, "source": source, "hours": hours, "lo": lo, "hi": hi}


def refresh(store_id: int, source: str, hours: Iterable[datetime]) -> None:
    """Recompute the business days of ``store_id`` that contain ``hours`` (UTC) from the hourly
    rows, upserting days with counts and deleting days without. Call it inside the transaction
    that changed those hourly rows, after the change. Two statements: the per-day advisory
    locks, then the recompute."""
    hours = hours_of(hours)
    if not hours:
        return
    _run_pg([lock_statement(store_id, source, hours), refresh_statement(store_id, source, hours)])
    rollup.refresh(store_id, hours)  # the brand comparison's local days (sales.rollup) follow the same hours


def refresh_many(source: str, hours_by_store: dict[int, Iterable[datetime]]) -> None:
    """``refresh`` for many stores in two statements whatever their number (the camera applier
    refreshes every store of a batch at once). Same locks, same result as one ``refresh`` per store."""
    pairs = [(store_id, hour) for store_id in sorted(hours_by_store) for hour in hours_of(hours_by_store[store_id])]
    if not pairs:
        return
    params = {"stores": [store for store, _ in pairs], "hours": [hour for _, hour in pairs]}
    _run_pg(
        [
            (_LOCK_MANY_SQL, {**params, "bit": SOURCES.index(source)}),
            # Planned for each call, never prepared: a generic plan cannot see how many stores
            # and hours the arrays hold (the applier's batches), and PostgreSQL's ran ~2x slower.
            (_REFRESH_MANY[source], {**params, "source": source}, False),
        ]
    )
    rollup.refresh_many(hours_by_store)  # the brand comparison's local days (sales.rollup), same stores


def _run_pg(statements: list[tuple]) -> None:
    """Server-side binding on Django's connection and so in the caller's transaction; each
    ``(sql, params)`` prepared (as the devices applier does), ``(sql, params, False)`` planned anew."""
    with server_bound_cursor() as cursor:
        for sql, params, *prepare in statements:
            cursor.execute(sql, params, prepare=prepare[0] if prepare else True)
            cursor.fetchall()


def rebuild(store_ids: Iterable[int] | None = None) -> int:
    """Recompute every business day of ``store_ids`` (all stores when None) from the hourly rows,
    both sources, and delete rows nothing supports any more; returns the rows now stored.

    For bulk loads, purges and re-keying (time zone or opening hour change). One statement; it
    does not take the per-day advisory locks, so run it where no ingest of those stores races it
    (or follow it with ``refresh`` of the racing hours).
    """
    ids = None if store_ids is None else sorted(set(store_ids))
    with connection.cursor() as cursor:
        cursor.execute(_REBUILD_SQL, {"stores": ids})
    rollup.rebuild(ids)  # the brand comparison's local days (sales.rollup) of the same stores
    rows = StoreDay.objects.all() if ids is None else StoreDay.objects.filter(store_id__in=ids)
    return rows.count()
