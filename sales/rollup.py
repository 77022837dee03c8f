"""Keeps ``ConversionDay`` (visitors, till totals and conversion's matched sums per store, local
day and visitor source) current, so the brand comparison reads ~3,000 day rows for 100 stores ×
a month instead of ~36,000 visitor hours and ~72,000 till rows per period.

The numbers are those of ``sales.selectors`` hour by hour, summed: visitors are the cameras'
enters (object type 0, all devices) less the hour's work-card staff where the store subtracts
staff (``devices.selectors.without_staff``: never below 0), or the sender's ``entered``; an hour
is matched when it has both a till total and a visitor count of that source. A day is the
store's local calendar day (the comparison's periods are local days).

Who writes: everything that changes the hours a day is built from refreshes those days inside
its transaction, after the change. Sender and camera counts through ``analytics.storedays``
(its ``refresh`` ends with this module's, so the feeds' news in ``stores.signals`` and the
per-row receivers of ``analytics.models`` reach both rollups); tills through their own news
(``sales.services.apply_sales`` → ``sales.signals``); single ORM saves of till and staff rows
and a switched staff rule through ``sales.signals``. Bulk loads, re-keying (a store's time zone)
and purges rebuild: ``analytics.storedays.rebuild`` ends with ``rebuild`` here, so
``rebuild_store_days`` and ``stores.signals.hourly_counts_replaced`` cover both rollups.

Concurrency (READ COMMITTED) as in ``analytics.storedays``: a till push and a camera push of the
same store and day may commit at once, so each first takes a transaction-scoped advisory lock
per (store, local day), sorted, in one statement, and recomputes in the next statement, whose
snapshot then holds whatever the previous lock holder committed. The keys have bit 62 set: a
part of the bigint key space the StoreDay keys (store << 20, well below) never reach.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection

from vislivis.database import server_bound_cursor

_DAY_REACH = timedelta(hours=36)  # a local day lies within a day and a half of any of its hours
# ``refresh_many`` reads one hour range for the whole batch; wider than this, store by store.
_MANY_SPAN = timedelta(days=2)

_LOCK_SQL = """
SELECT count(*) FROM (
    SELECT pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT (1::bigint << 62) + (%(store)s::bigint << 20)
               + ((h AT TIME ZONE s.timezone)::date - DATE '1900-01-01') AS k
        FROM unnest(%(hours)s::timestamptz[]) AS h, stores_store s
        WHERE s.id = %(store)s
        ORDER BY k
    ) keys
) locked
"""

# From ``p`` (the stores: id, tz, staff) and ``{rows}`` (a condition on ``t`` restricting the
# hourly rows read to the stores of ``p`` and the hours wanted: the tables are not joined to
# ``p``, whose row estimate as a CTE is a guess, so each read stays an index range whatever the
# statistics say), per store, source and local day: ``agg``. ``{days}`` keeps only the days
# asked for. One text for the refresh and the rebuild.
_AGG_CTES = """
cam AS (
    SELECT t.store_id, t.hour, sum(t.enters) AS enters
    FROM devices_hourlyfootfall t
    WHERE t.object_type = 0 AND {rows}
    GROUP BY t.store_id, t.hour
),
staff AS (
    SELECT t.store_id, t.hour, sum(t.work_card) AS staff
    FROM devices_hourlydemographics t JOIN p ON p.id = t.store_id
    WHERE p.staff AND t.work_card > 0 AND {rows}
    GROUP BY t.store_id, t.hour
),
visitors AS (
    SELECT 'camera'::varchar AS source, c.store_id, c.hour,
           GREATEST(0, c.enters - COALESCE(s.staff, 0))::bigint AS visitors
    FROM cam c LEFT JOIN staff s ON s.store_id = c.store_id AND s.hour = c.hour
    UNION ALL
    SELECT 'sender', t.store_id, t.hour, sum(t.entered)::bigint
    FROM analytics_hourlycustomers t
    WHERE t.entered IS NOT NULL AND {rows}
    GROUP BY t.store_id, t.hour
),
tills AS (
    SELECT t.store_id, t.hour, sum(t.transactions)::bigint AS transactions, sum(t.revenue) AS revenue,
           sum(t.items)::bigint AS items
    FROM sales_hourlysales t
    WHERE {rows}
    GROUP BY t.store_id, t.hour
),
hours AS ({hours_sender} UNION ALL {hours_camera}),
slots AS (
    SELECT h.source, h.store_id, (h.hour AT TIME ZONE p.tz)::date AS d,
           extract(hour FROM h.hour AT TIME ZONE p.tz)::int AS slot,
           sum(h.visitors)::bigint AS v, sum(h.transactions)::bigint AS t, sum(h.revenue) AS r,
           sum(h.items)::bigint AS i,
           sum(h.visitors) FILTER (WHERE h.transactions IS NOT NULL)::bigint AS mv,
           sum(h.transactions) FILTER (WHERE h.visitors IS NOT NULL)::bigint AS mt,
           sum(h.revenue) FILTER (WHERE h.visitors IS NOT NULL AND h.transactions IS NOT NULL) AS mr,
           count(*) FILTER (WHERE h.visitors IS NOT NULL AND h.transactions IS NOT NULL)::int AS mh
    FROM hours h JOIN p ON p.id = h.store_id
    WHERE {days}
    GROUP BY 1, 2, 3, 4
),
-- Every (source, store, day) with all 24 local hours, the empty ones NULL: the arrays' positions.
-- The 24 empty slots are appended and grouped away (max of a slot's one value, or NULL), not
-- LEFT JOINed: with the row estimate of a CTE (1) the planner would join by nested loop, a
-- quadratic read once a batch refreshes hundreds of store days (0.94 s for 500).
grid AS (
    SELECT source, store_id, d, slot, max(v) AS v, max(t) AS t, max(r) AS r, max(i) AS i, max(mv) AS mv,
           max(mt) AS mt, max(mr) AS mr, max(mh) AS mh
    FROM (
        SELECT source, store_id, d, slot, v, t, r, i, mv, mt, mr, mh FROM slots
        UNION ALL
        SELECT k.source, k.store_id, k.d, g.slot, NULL::bigint, NULL::bigint, NULL::numeric, NULL::bigint,
               NULL::bigint, NULL::bigint, NULL::numeric, NULL::int
        FROM (SELECT DISTINCT source, store_id, d FROM slots) k CROSS JOIN generate_series(0, 23) AS g(slot)
    ) both_sides
    GROUP BY source, store_id, d, slot
),
agg AS (
    SELECT source, store_id, d, sum(v)::bigint AS visitors, sum(t)::bigint AS transactions, sum(r) AS revenue,
           sum(i)::bigint AS items, COALESCE(sum(mv), 0)::bigint AS matched_visitors,
           COALESCE(sum(mt), 0)::bigint AS matched_transactions, COALESCE(sum(mr), 0) AS matched_revenue,
           COALESCE(sum(mh), 0)::int AS hours_matched,
           array_agg(v::int ORDER BY slot) AS hour_visitors, array_agg(t::int ORDER BY slot) AS hour_transactions,
           array_agg(mv::int ORDER BY slot) AS hour_matched_visitors,
           array_agg(mt::int ORDER BY slot) AS hour_matched_transactions,
           array_agg(mh ORDER BY slot) AS hour_matched,
           COALESCE(bit_or(1 << slot) FILTER (WHERE v IS NOT NULL OR t IS NOT NULL), 0) AS hour_mask
    FROM grid GROUP BY source, store_id, d
),"""
# Each source's visitor hours joined with the till hours: hours of one side only stay (NULL other side).
_HOURS = """
    SELECT '{source}'::varchar AS source, COALESCE(v.store_id, t.store_id) AS store_id,
           COALESCE(v.hour, t.hour) AS hour, v.visitors, t.transactions, t.revenue, t.items
    FROM (SELECT * FROM visitors WHERE source = '{source}') v
    FULL JOIN tills t ON t.store_id = v.store_id AND t.hour = v.hour
"""
_AGG_CTES = _AGG_CTES.replace("{hours_sender}", _HOURS.format(source="sender")).replace(
    "{hours_camera}", _HOURS.format(source="camera")
)
COLUMNS = (
    "visitors",
    "transactions",
    "revenue",
    "items",
    "matched_visitors",
    "matched_transactions",
    "matched_revenue",
    "hours_matched",
    "hour_visitors",
    "hour_transactions",
    "hour_matched_visitors",
    "hour_matched_transactions",
    "hour_matched",
    "hour_mask",
)
_WRITE = (
    """
up AS (
    INSERT INTO sales_conversionday (store_id, source, day, {columns}, updated_at)
    SELECT a.store_id, a.source, a.d, {values}, now() FROM agg a
    ON CONFLICT (store_id, source, day) DO UPDATE SET {updates}, updated_at = EXCLUDED.updated_at
    RETURNING 1
),
gone AS (
    DELETE FROM sales_conversionday c
    WHERE {scope}
      AND NOT EXISTS (SELECT 1 FROM agg a WHERE a.store_id = c.store_id AND a.source = c.source AND a.d = c.day)
    RETURNING 1
)
SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM gone)
""".replace("{columns}", ", ".join(COLUMNS))
    .replace("{values}", ", ".join(f"a.{name}" for name in COLUMNS))
    .replace("{updates}", ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS))
)

# Identifiers are this module's constants; every value is a parameter (also below).
# One store, the local days of %(hours)s: the hourly rows within [lo, hi) (constant bounds, so
# each table's (store, ..., hour) index reads that range only), kept by their local day.
_REFRESH_SQL = (
    """
WITH p AS (
    SELECT s.id, s.timezone AS tz, s.subtract_staff AS staff FROM stores_store s WHERE s.id = %(store)s
),
days AS (SELECT DISTINCT (h AT TIME ZONE p.tz)::date AS d FROM unnest(%(hours)s::timestamptz[]) AS h, p),"""  # noqa: S608
    + _AGG_CTES.format(
        rows="t.store_id = %(store)s AND t.hour >= %(lo)s AND t.hour < %(hi)s",
        days="(h.hour AT TIME ZONE p.tz)::date IN (SELECT d FROM days)",
    )
    + _WRITE.replace("{scope}", "c.store_id = %(store)s AND c.day IN (SELECT d FROM days)")
)

# Many stores at once (the camera applier's batch): the (store, hour) pairs of %(stores)s and
# %(hours)s, locked and recomputed as ``refresh`` does per store. The hourly rows are read by
# their (store, ..., hour) indexes for %(store_ids)s within one [lo, hi) for the whole batch (a
# batch's hours are recent and close together); the store list is a parameter, not a join on
# ``p``, so a stale row estimate cannot turn the read into a nested loop over every store.
_LOCK_MANY_SQL = """
SELECT count(*) FROM (
    SELECT pg_advisory_xact_lock(k) FROM (
        SELECT DISTINCT (1::bigint << 62) + (i.store::bigint << 20)
               + ((i.h AT TIME ZONE s.timezone)::date - DATE '1900-01-01') AS k
        FROM unnest(%(stores)s::bigint[], %(hours)s::timestamptz[]) AS i(store, h)
        JOIN stores_store s ON s.id = i.store
        ORDER BY k
    ) keys
) locked
"""
_REFRESH_MANY_SQL = (
    """
WITH input AS (SELECT * FROM unnest(%(stores)s::bigint[], %(hours)s::timestamptz[]) AS i(store, h)),
p AS NOT MATERIALIZED (
    SELECT s.id, s.timezone AS tz, s.subtract_staff AS staff FROM stores_store s
    WHERE s.id = ANY(%(store_ids)s::bigint[])
),
days AS (
    SELECT DISTINCT p.id AS store, (input.h AT TIME ZONE p.tz)::date AS d FROM input JOIN p ON p.id = input.store
),"""  # noqa: S608
    + _AGG_CTES.format(
        rows="t.store_id = ANY(%(store_ids)s::bigint[]) AND t.hour >= %(lo)s AND t.hour < %(hi)s",
        days="(h.store_id, (h.hour AT TIME ZONE p.tz)::date) IN (SELECT store, d FROM days)",
    )
    + _WRITE.replace("{scope}", "(c.store_id, c.day) IN (SELECT store, d FROM days)")
)

# Every day of the selected stores (NULL: all): upsert what the hourly rows give, delete the rest.
_REBUILD_SQL = (
    """
WITH p AS (
    SELECT s.id, s.timezone AS tz, s.subtract_staff AS staff FROM stores_store s
    WHERE %(stores)s::bigint[] IS NULL OR s.id = ANY(%(stores)s::bigint[])
),"""  # noqa: S608
    + _AGG_CTES.format(rows="(%(stores)s::bigint[] IS NULL OR t.store_id = ANY(%(stores)s::bigint[]))", days="true")
    + _WRITE.replace("{scope}", "c.store_id IN (SELECT id FROM p)")
)


def _hours(moments: Iterable[datetime]) -> list[datetime]:
    return sorted({moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for moment in moments})


def refresh(store_id: int, hours: Iterable[datetime]) -> None:
    """Recompute the local days of ``store_id`` that contain ``hours`` (UTC) from the hourly rows
    (visitors of both sources, staff, tills); days left with nothing are deleted. Call it inside
    the transaction that changed those rows, after the change. Two statements: the per-day
    advisory locks, then the recompute (server-side binding, prepared, on Django's connection)."""
    hours = _hours(hours)
    if not hours:
        return
    params = {"store": store_id, "hours": hours, "lo": hours[0] - _DAY_REACH, "hi": hours[-1] + _DAY_REACH}
    with server_bound_cursor() as cursor:
        for sql in (_LOCK_SQL, _REFRESH_SQL):
            cursor.execute(sql, params, prepare=True)
            cursor.fetchall()


def refresh_many(hours_by_store: dict[int, Iterable[datetime]]) -> None:
    """``refresh`` for many stores in two statements whatever their number (the camera applier
    refreshes every store of a batch at once): the same locks and the same rows as one
    ``refresh`` per store, in store order."""
    pairs = [(store_id, hour) for store_id in sorted(hours_by_store) for hour in _hours(hours_by_store[store_id])]
    if not pairs:
        return
    hours = [hour for _, hour in pairs]
    if max(hours) - min(hours) > _MANY_SPAN:  # a replay of old documents among current ones
        for store_id in sorted(hours_by_store):
            refresh(store_id, hours_by_store[store_id])
        return
    params = {
        "stores": [store for store, _ in pairs],
        "store_ids": sorted(hours_by_store),
        "hours": hours,
        "lo": min(hours) - _DAY_REACH,
        "hi": max(hours) + _DAY_REACH,
    }
    with server_bound_cursor() as cursor:
        cursor.execute(_LOCK_MANY_SQL, params, prepare=True)
        cursor.fetchall()
        # Planned for each call, never prepared: a generic plan cannot see how many stores and
        # hours the arrays hold, and the one PostgreSQL settled on ran in ~2x the time.
        cursor.execute(_REFRESH_MANY_SQL, params, prepare=False)
        cursor.fetchall()


def rebuild(store_ids: Iterable[int] | None = None) -> int:
    """Recompute every day of ``store_ids`` (all stores when None) and delete rows nothing
    supports any more; returns the rows now stored. For bulk loads, purges and re-keying; takes
    no per-day locks, so run it where no ingest of those stores races it."""
    from sales.models import ConversionDay

    ids = None if store_ids is None else sorted(set(store_ids))
    with connection.cursor() as cursor:
        # analytics' migration 0003 rebuilds StoreDay (and so calls this) possibly before the
        # migration that creates this table has run: nothing to keep yet.
        cursor.execute("SELECT to_regclass('sales_conversionday') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(_REBUILD_SQL, {"stores": ids})
    rows = ConversionDay.objects.all() if ids is None else ConversionDay.objects.filter(store_id__in=ids)
    return rows.count()
