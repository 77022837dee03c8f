"""Brand comparison totals computed in the database (PostgreSQL).

The brand page needs, per store and over its own local days, the footfall and the occupancy
peak. Occupancy is a running sum of (in − out) clamped at zero and reset at the store's opening
hour; that recursion, x(h) = max(0, x(h−1) + d(h)), has the closed form
x(h) = S(h) − min(0, min over k ≤ h of S(k)) with S the running sum within the day, which window
functions compute.

Because occupancy resets at the opening hour, a business day (opening hour to opening hour) is
independent of every other: the window's footfall is the sum of its days' footfall and its peak
the maximum of their peaks. Business days lying wholly inside the window are read from the
``StoreDay`` rollup (one row per store-day, kept current by ingest: ``analytics.storedays``);
only the partial ones at the ends (before the first whole day, after the last, the day that
contains ``now``) are derived from hourly rows. So 100 stores × a month read ~3,000 rollup rows
and ~7,000 hourly rows instead of ~216,000 (measured: ~430 ms → see docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analytics.storedays import CAMERA, COUNT_TABLES, SEGMENT_SQL, SENDER, segment_of
from stores.reporting import array_params, ceil_hour
from vislivis.database import server_bound_cursor

HOUR = timedelta(hours=1)

# For one source: per store, partial days from hourly rows within explicit UTC ranges (hours
# whose segment is a whole day already in the rollup are excluded with the same expression the
# rollup uses, so the two sides can never both count an hour), plus the whole days' rows.
_TOTALS_SQL = """
WITH members AS (
    SELECT * FROM unnest(%(stores)s::bigint[], %(store_groups)s::int[]) AS m(store_id, grp)
),
params AS (
    SELECT m.store_id, g.first_full, g.last_full, g.head_after, g.tail_before,
           s.timezone AS tz, s.opening_hour AS opening
    FROM members m
    JOIN unnest(%(groups)s::int[], %(firsts)s::date[], %(lasts)s::date[], %(heads)s::date[], %(tails)s::date[])
      AS g(grp, first_full, last_full, head_after, tail_before)
      ON g.grp = m.grp
    JOIN stores_store s ON s.id = m.store_id
),
ranges AS (
    SELECT m.store_id, r.lo, r.hi
    FROM members m
    JOIN unnest(%(range_groups)s::int[], %(los)s::timestamptz[], %(his)s::timestamptz[]) AS r(grp, lo, hi)
      ON r.grp = m.grp
),
hourly AS (
    -- One index range scan per (store, range): a join against the ranges made the planner scan
    -- the whole month of every store and filter (measured 200+ ms for 100 stores).
    SELECT r.store_id, x.hour, x.enters, x.delta
    FROM ranges r CROSS JOIN LATERAL (
        SELECT t.hour, sum(COALESCE(t.{enters}, 0)) AS enters,
               sum(COALESCE(t.{enters}, 0)) - sum(COALESCE(t.{exits}, 0)) AS delta
        FROM {table} t
        WHERE t.store_id = r.store_id AND t.hour >= r.lo AND t.hour < r.hi AND {condition}
        GROUP BY t.hour
    ) x
),
running AS (
    SELECT h.store_id, h.hour, h.enters, {segment} AS segment,
           sum(h.delta) OVER (PARTITION BY h.store_id, {segment} ORDER BY h.hour) AS s
    FROM hourly h JOIN params p ON p.store_id = h.store_id
    WHERE p.first_full IS NULL OR {segment} NOT BETWEEN p.first_full AND p.last_full
),
partial AS (
    SELECT store_id, sum(enters) AS footfall,
           max(s - LEAST(0, min_s)) AS peak
    FROM (SELECT store_id, enters, s, min(s) OVER (PARTITION BY store_id, segment ORDER BY hour) AS min_s
          FROM running) o
    GROUP BY store_id
),
whole AS (
    -- Likewise one range of the (store, source, business_date) key per store: the whole days,
    -- and the midnight parts of the days the window starts and ends in (contiguous with them).
    SELECT p.store_id, x.footfall, x.peak
    FROM params p CROSS JOIN LATERAL ({whole_days}) x
    WHERE x.footfall IS NOT NULL
)
SELECT store_id, sum(footfall)::bigint, max(peak)::bigint
FROM (SELECT * FROM partial UNION ALL SELECT * FROM whole) parts
GROUP BY store_id
"""
# One store's (p) rollup rows of the window: whole days as they are, the days it starts and ends
# in by their part after / before local midnight.
_WHOLE_DAYS = """
        SELECT sum(CASE d.business_date WHEN p.head_after THEN d.after_midnight_footfall
                                        WHEN p.tail_before THEN d.before_midnight_footfall
                                        ELSE d.footfall END) AS footfall,
               max(CASE d.business_date WHEN p.head_after THEN d.after_midnight_peak
                                        WHEN p.tail_before THEN d.before_midnight_peak
                                        ELSE d.occupancy_peak END) AS peak
        FROM analytics_storeday d
        WHERE d.store_id = p.store_id AND d.source = %(source)s
          AND d.business_date BETWEEN COALESCE(p.head_after, p.first_full) AND COALESCE(p.tail_before, p.last_full)
    """
_SQL = {
    source: _TOTALS_SQL.format(
        segment=SEGMENT_SQL.format(hour="h.hour", tz="p.tz", opening="p.opening"), whole_days=_WHOLE_DAYS, **names
    )
    for source, names in COUNT_TABLES.items()
}
# Without hour ranges (a past period cut at local midnights, the brand page's usual case) the
# rollup alone answers, one row per store: the statement above still planned and ran its hourly
# branch for nothing (planned in ~1.5 → ~0.25 ms on each of a connection's first five runs, ~0.3 ms
# less to run; measured for 100 stores). Same sums, same casts.
_WHOLE_ONLY_SQL = f"""
WITH params AS (
    SELECT m.store_id, g.first_full, g.last_full, g.head_after, g.tail_before
    FROM unnest(%(stores)s::bigint[], %(store_groups)s::int[]) AS m(store_id, grp)
    JOIN unnest(%(groups)s::int[], %(firsts)s::date[], %(lasts)s::date[], %(heads)s::date[], %(tails)s::date[])
      AS g(grp, first_full, last_full, head_after, tail_before)
      ON g.grp = m.grp
)
SELECT p.store_id, x.footfall::bigint, x.peak::bigint
FROM params p CROSS JOIN LATERAL ({_WHOLE_DAYS}) x
WHERE x.footfall IS NOT NULL
"""  # noqa: S608 - module constants only; every value is a parameter


@dataclass(frozen=True)
class Split:
    """A store's window cut into rollup reads and hour ranges (hourly rows).

    ``first_full``..``last_full``: business days wholly inside (``StoreDay`` totals);
    ``head_after``: the day the window starts in at local midnight (its after-midnight part);
    ``tail_before``: the day the window ends in at local midnight (its before-midnight part);
    ``ranges``: whatever is left (a day cut by ``now``, a window shorter than a day)."""

    first_full: date | None
    last_full: date | None
    ranges: list[tuple[datetime, datetime]]
    head_after: date | None = None
    tail_before: date | None = None


def split_window(start: datetime, end: datetime, tz: ZoneInfo, opening_hour: int, ends_at_midnight: bool) -> Split:
    """Cut the UTC window [start, end) of one store (``start`` a local midnight; ``end`` too
    when ``ends_at_midnight``, else ``now``).

    Hourly rows are whole UTC hours, so the window is taken in whole hours. A day is whole when
    the hour before its first hour and the hour after its last lie in other segments; segments
    never go back in time (DST moves local time by whole hours), so walking hour by hour from
    each end finds the cuts. A cut day is read from its midnight part when the cut is that
    midnight; otherwise from hourly rows."""
    lo, hi = ceil_hour(start), ceil_hour(end)
    if lo >= hi:
        return Split(None, None, [])

    def seg(hour: datetime) -> date:
        return segment_of(hour, tz, opening_hour)

    def local_date(hour: datetime) -> date:
        return hour.astimezone(tz).date()

    one_day = timedelta(days=1)
    starts_inside = seg(lo - HOUR) != seg(lo)
    ends_inside = seg(hi) != seg(hi - HOUR)
    first = seg(lo) if starts_inside else seg(lo) + one_day
    last = seg(hi - HOUR) if ends_inside else seg(hi - HOUR) - one_day
    head_end = lo
    while head_end < hi and seg(head_end) < first:
        head_end += HOUR
    tail_start = hi
    while tail_start > head_end and seg(tail_start - HOUR) > last:
        tail_start -= HOUR
    ranges, head_after, tail_before = [], None, None
    if lo < head_end:  # the day the window starts in began before it
        day = seg(lo)
        # Its part after local midnight, unless the window also ends inside this day.
        if local_date(lo) == day + one_day and seg(head_end - HOUR) == day and (head_end < hi or ends_inside):
            head_after = day
        else:
            ranges.append((lo, head_end))
    if tail_start < hi and tail_start >= head_end:  # the day the window ends in goes on after it
        day = seg(tail_start)
        # Its part before local midnight: the window ends at that midnight, not at ``now``.
        if ends_at_midnight and local_date(hi - HOUR) == day and seg(hi - HOUR) == day and tail_start > lo:
            tail_before = day
        else:
            ranges.append((tail_start, hi))
    if first > last:
        return Split(None, None, ranges, head_after, tail_before)
    return Split(first, last, ranges, head_after, tail_before)


def footfall_and_peaks(stores: list, first_day: date, last_day: date, now: datetime) -> dict[str, dict]:
    """``{"sender"|"camera": {store_id: (footfall, occupancy_peak)}}``; stores without counts absent.

    The sender's counts win where a store has any (the brand view shows them), so the cameras'
    are read only for the stores without: ``camera`` never holds a store that ``sender`` holds.

    ``stores`` are ``Store`` rows (their time zone and opening hour cut the windows). Two
    statements (one per source; none for the cameras when every store has sender counts)
    whatever the number of stores."""
    # Stores of one time zone and opening hour share the same cut: it is computed, and sent,
    # once per such group (a brand has a handful), the stores only name their group.
    groups: dict[tuple[str, int], int] = {}
    group_windows: dict[tuple[str, int], tuple[datetime, datetime]] = {}
    ids, store_groups, firsts, lasts, heads, tails, range_groups, los, his = [], [], [], [], [], [], [], [], []
    for store in stores:
        key = (store.timezone, store.opening_hour)
        if key not in groups:
            groups[key] = len(groups)
            tz = ZoneInfo(store.timezone)
            start = datetime.combine(first_day, time.min, tzinfo=tz).astimezone(UTC)
            local_end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
            split = split_window(start, min(local_end, now), tz, store.opening_hour, local_end <= now)
            group_windows[key] = (start, min(local_end, now))
            firsts.append(split.first_full)
            lasts.append(split.last_full)
            heads.append(split.head_after)
            tails.append(split.tail_before)
            for lo, hi in split.ranges:
                range_groups.append(groups[key])
                los.append(lo)
                his.append(hi)
        ids.append(store.pk)
        store_groups.append(groups[key])
    params = {
        "stores": ids,
        "store_groups": store_groups,
        "groups": list(range(len(groups))),
        "firsts": firsts,
        "lasts": lasts,
        "heads": heads,
        "tails": tails,
        "range_groups": range_groups,
        "los": los,
        "his": his,
    }
    result: dict[str, dict] = {}
    # Server-side binding and prepared statements (as in devices/applier.py): the arrays go
    # over as parameters instead of being quoted into the text, and each text is planned once.
    with server_bound_cursor() as cursor:
        # No hour range: the rollup-only statement (its parameters are a subset of the other's).
        statements = _SQL if los else dict.fromkeys(_SQL, _WHOLE_ONLY_SQL)
        cursor.execute(statements[SENDER], array_params({**params, "source": SENDER}), prepare=True)
        result[SENDER] = {store_id: (footfall, peak) for store_id, footfall, peak in cursor.fetchall()}
        # The cameras' for the stores the sender gave nothing (~2 ms of backend CPU for 100
        # stores saved when it gave every one something).
        missing = [n for n, store_id in enumerate(ids) if store_id not in result[SENDER]]
        result[CAMERA] = {}
        if missing:
            subset = {"stores": [ids[n] for n in missing], "store_groups": [store_groups[n] for n in missing]}
            cursor.execute(statements[CAMERA], array_params({**params, **subset, "source": CAMERA}), prepare=True)
            result[CAMERA] = {store_id: (footfall, peak) for store_id, footfall, peak in cursor.fetchall()}
    # Stores with ``subtract_staff``: camera footfall less its work-card staff, hour by hour
    # through the one rule (devices.selectors.without_staff); the occupancy peak stays as counted.
    from devices.selectors import staff_removed_by_store

    cameras = [store for store in stores if store.pk in result[CAMERA]]
    windows = {store.pk: group_windows[(store.timezone, store.opening_hour)] for store in cameras}
    for store_id, amount in staff_removed_by_store(cameras, windows).items():
        footfall, peak = result[CAMERA][store_id]
        result[CAMERA][store_id] = (max(0, footfall - amount), peak)
    return result
