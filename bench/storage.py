"""Bytes stored per kept camera document and per minute-count row, and what a camera-day costs.

Sizes are PostgreSQL's own (``pg_total_relation_size``: heap, indexes and TOAST). A partitioned
table's parent stores nothing (it reports 0), so a table is the sum of the leaves of its
``pg_partition_tree``; a plain table is itself. The figures are taken twice: as the bench run
left the tables (with the dead row versions of every pending → accepted update and of every
superseded minute, which autovacuum reclaims for reuse), and after ``VACUUM FULL`` (the live
rows alone). The camera-day is derived from the compacted size per row at the real-time rate.
"""

from __future__ import annotations

from typing import Any

DOCUMENTS = "devices_receiveddocument"
MINUTES = "devices_minutecount"

# A busy entrance in real-time mode: 17 pushes a minute over 12 open hours, 3 object types.
PUSHES_PER_MINUTE = 17
OPEN_HOURS = 12
OBJECT_TYPES = 3
FLEET_CAMERAS = 1_000
RETENTION_DAYS = 30
# Issue 17's estimate for raw kept documents (~1 KB each, unbounded): per camera-day and fleet.
UNBOUNDED_CAMERA_DAY_BYTES = 12_000_000
UNBOUNDED_FLEET_BYTES = 360_000_000_000


def table_bytes(table: str) -> int:
    """Heap + indexes + TOAST of a table, summed over its partitions when it is partitioned."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass)"
            " WHERE isleaf), pg_total_relation_size(%s::regclass))",
            [table, table],
        )
        return int(cursor.fetchone()[0])


def partitions(table: str) -> int:
    """How many leaf partitions a table has (0: it is a plain table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_partition_tree(%s::regclass) WHERE isleaf AND level > 0", [table])
        return int(cursor.fetchone()[0])


def rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # a module constant, never input
        return int(cursor.fetchone()[0])


def document_bodies() -> dict[str, Any]:
    """Average size of kept bodies as received and as stored (compressed), per document kind."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, count(*), avg(size), avg(octet_length(body)) FROM {DOCUMENTS} GROUP BY kind ORDER BY kind"
        )
        return {
            kind or "?": {
                "documents": count,
                "received_bytes": round(float(received), 1),
                "stored_bytes": round(float(stored), 1),
                "stored_share": round(float(stored) / float(received), 4) if received else None,
            }
            for kind, count, received, stored in cursor.fetchall()
        }


def vacuum_full(*tables: str) -> None:
    """Rewrite the tables with their live rows only (needs autocommit: not in a transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (FULL, ANALYZE) "{table}"')


def sizes(tables: tuple[str, ...] = (DOCUMENTS, MINUTES)) -> dict[str, dict[str, Any]]:
    out = {}
    for table in tables:
        count = rows(table)
        total = table_bytes(table)
        out[table] = {"rows": count, "bytes": total, "bytes_per_row": round(total / count, 1) if count else None}
    return out


def camera_day(
    bytes_per_document: float,
    bytes_per_minute_row: float,
    pushes_per_minute: int = PUSHES_PER_MINUTE,
    open_hours: int = OPEN_HOURS,
    object_types: int = OBJECT_TYPES,
) -> dict[str, Any]:
    """Bytes one busy real-time camera adds in a day, and a fleet of 1,000 over the retention."""
    documents = pushes_per_minute * 60 * open_hours
    minute_rows = open_hours * 60 * object_types
    per_day = documents * bytes_per_document + minute_rows * bytes_per_minute_row
    fleet = per_day * FLEET_CAMERAS * RETENTION_DAYS
    return {
        "documents": documents,
        "minute_rows": minute_rows,
        "documents_bytes": round(documents * bytes_per_document),
        "minute_rows_bytes": round(minute_rows * bytes_per_minute_row),
        "bytes": round(per_day),
        "fleet_bytes": round(fleet),
        "fleet": f"{FLEET_CAMERAS} cameras × {RETENTION_DAYS} days",
        "unbounded_bytes": UNBOUNDED_CAMERA_DAY_BYTES,
        "unbounded_fleet_bytes": UNBOUNDED_FLEET_BYTES,
        "share_of_unbounded": round(per_day / UNBOUNDED_CAMERA_DAY_BYTES, 4),
    }


def measure() -> dict[str, Any]:
    """Sizes as left and compacted, the bodies' compression, and the derived camera-day."""
    as_left = sizes()
    vacuum_full(DOCUMENTS, MINUTES)
    compacted = sizes()
    per_document = compacted[DOCUMENTS]["bytes_per_row"]
    per_minute = compacted[MINUTES]["bytes_per_row"]
    result: dict[str, Any] = {
        "as_left": as_left,
        "compacted": compacted,
        "partitions": {table: partitions(table) for table in (DOCUMENTS, MINUTES)},
        "bodies": document_bodies(),
    }
    if per_document and per_minute:
        result["camera_day"] = camera_day(per_document, per_minute)
    return result
