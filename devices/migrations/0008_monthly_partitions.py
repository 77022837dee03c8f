"""Minute counts and kept documents become tables partitioned by month (issue 17: retention drops
whole partitions instead of a mass DELETE).

Converted in place, rows kept: the table is renamed, a partitioned twin is created with the same
columns and CHECK constraints (LIKE), a monthly partition per month of existing data up to the
current month + 2, a DEFAULT partition for anything else, the rows are copied, the old table is
dropped, and the primary key, unique constraints, foreign keys and indexes are recreated under
their old names from the catalog (so Django's names, the ON CONFLICT key ``minute_count_key`` and
the FKs' DEFERRABLE INITIALLY DEFERRED stay exactly as Django made them).

PostgreSQL 15 has no identity columns on partitioned tables: ``id`` takes its default from a
sequence OWNED BY the column (``pg_get_serial_sequence`` and TRUNCATE … RESTART IDENTITY still
find it), set past both the old sequence and max(id) so no id is ever reused. The primary key
becomes (id, <partition column>): a partitioned table's unique keys must include that column.

Reversible (the table becomes a plain one with an identity id and its one-column key again).
Self-contained on purpose: a migration must not follow later edits of ``devices.partitions``.
The conversion holds an ACCESS EXCLUSIVE lock on each table while it runs (pushes wait):
see docs/operations.md, "Retention and partitions".
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone

# (table, partition column): constants, the only identifiers the SQL below is built from.
TABLES = (
    ("devices_minutecount", "period_start"),
    ("devices_receiveddocument", "received_at"),
)
MONTHS_AHEAD = 2
LIKE = "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS"


def _month_add(month: datetime, months: int) -> datetime:
    index = month.year * 12 + month.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _bound(moment: datetime) -> str:
    # Built from a datetime (digits only), never from outside text.
    return f"'{moment:%Y-%m-%d} 00:00:00+00'"


def _definitions(cursor, table: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The table's keys and foreign keys (name, type, definition) and its other indexes (DDL)."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'x') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) "
        "ORDER BY i.indexrelid",
        [table],
    )
    # A partitioned table's own index reads "ON ONLY t"; recreated on a plain table it is "ON t".
    indexes = [row[0].replace(" ON ONLY ", " ON ", 1) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass", [table]
    )
    referencing = cursor.fetchall()
    if referencing:
        # Nothing may point at these tables (their id alone is no longer unique once partitioned).
        raise RuntimeError(f"{table} is referenced by foreign keys {referencing}: drop them first.")
    return constraints, indexes


def _restore(cursor, table: str, key: str, constraints, indexes) -> None:
    """Recreate keys, foreign keys and indexes under their old names; the primary key on ``key``."""
    for name, kind, definition in constraints:
        if kind == "p":
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" PRIMARY KEY ({key})')
        else:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for statement in indexes:
        cursor.execute(statement)
    cursor.execute(f"ANALYZE {table}")


def _next_id(cursor, table: str, old: str) -> int:
    """The last id handed out: the larger of the column's sequence and max(id)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [old])
    (sequence,) = cursor.fetchone()
    last = 0
    if sequence:
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}")  # noqa: S608 - identifiers from constants
        last = cursor.fetchone()[0]
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {old}")  # noqa: S608 - identifiers from constants
    return max(last, cursor.fetchone()[0])


def _relkind(cursor, table: str) -> str | None:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return row[0] if row else None


def partition(apps, schema_editor) -> None:
    now = timezone.now()
    current = datetime(now.year, now.month, 1, tzinfo=UTC)
    window = {_month_add(current, n) for n in range(MONTHS_AHEAD + 1)}
    last = max(window)
    with schema_editor.connection.cursor() as cursor:
        for table, column in TABLES:
            if _relkind(cursor, table) == "p":
                continue  # already partitioned (created so by hand): nothing to convert
            old = f"{table}__unpartitioned"
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            constraints, indexes = _definitions(cursor, table)
            cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
            last_id = _next_id(cursor, table, old)
            cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
            cursor.execute(f"CREATE TABLE {table} (LIKE {old} {LIKE}) PARTITION BY RANGE ({column})")
            cursor.execute(f"CREATE SEQUENCE {table}_id_seq AS bigint OWNED BY {table}.id")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq'::regclass)")
            if last_id:
                cursor.execute("SELECT setval(%s, %s)", [f"{table}_id_seq", last_id])
            # Months that hold rows get a partition; months past the window wait in DEFAULT
            # (ensure_partitions moves them out when their month comes).
            cursor.execute(f"SELECT DISTINCT date_trunc('month', {column} AT TIME ZONE 'UTC') FROM {old}")  # noqa: S608 - identifiers from constants
            months = {moment.replace(tzinfo=UTC) for (moment,) in cursor.fetchall()}
            for month in sorted({m for m in months if m <= last} | window):
                cursor.execute(
                    f"CREATE TABLE {table}_p{month:%Y_%m} PARTITION OF {table} "
                    f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(_month_add(month, 1))})"
                )
            cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
            # Keys and indexes come after the copy: one sorted build each instead of row by row.
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608 - identifiers from constants
            cursor.execute(f"DROP TABLE {old}")
            _restore(cursor, table, f"id, {column}", constraints, indexes)


def unpartition(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table, _column in TABLES:
            if _relkind(cursor, table) != "p":
                continue
            old = f"{table}__partitioned"
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            constraints, indexes = _definitions(cursor, table)
            cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
            last_id = _next_id(cursor, table, old)
            cursor.execute(f"CREATE TABLE {table} (LIKE {old} {LIKE})")
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608 - identifiers from constants
            cursor.execute(f"DROP TABLE {old}")  # its partitions and its owned sequence with it
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
            if last_id:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id])
            _restore(cursor, table, "id", constraints, indexes)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0007_accept_then_apply"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
