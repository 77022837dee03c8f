"""Monthly partitions of minute counts and kept documents (migration 0008): create ahead, drop expired.

Retention drops a whole month at once (DROP TABLE of a partition: no mass DELETE, no bloat, no
vacuum debt). Each table also has a DEFAULT partition for rows of a month that has no partition
yet (a camera clock years off, a replay of an old document): it is meant to stay tiny, so
its old rows go with a small DELETE, and rows of a month that gets its partition move into it.

Every identifier below is built from the constants of ``TABLES`` and from ``datetime`` values
(``p%Y_%m``): no outside text reaches the SQL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone

from devices import conf

log = logging.getLogger(__name__)

MONTHS_AHEAD = 2  # the current month and the next two always have a partition
# Partition maintenance waits this long for a table lock, then gives up until the next run
# instead of queueing every push behind it.
LOCK_TIMEOUT = "1s"
_LIKE = "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION"
_BOUNDS = re.compile(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Table:
    """A partitioned table: its partition column and how long its rows are kept."""

    name: str
    column: str
    retention_days: Callable[[], int]
    # Rows retention must never take (a pending document is not applied yet).
    keep_condition: str = ""

    @property
    def default(self) -> str:
        return f"{self.name}_default"

    def partition(self, month: datetime) -> str:
        return f"{self.name}_p{month:%Y_%m}"


MINUTE_COUNTS = Table("devices_minutecount", "period_start", conf.minute_retention_days)
DOCUMENTS = Table(
    "devices_receiveddocument", "received_at", conf.document_retention_days, keep_condition="outcome = 'pending'"
)
TABLES = (MINUTE_COUNTS, DOCUMENTS)


@dataclass(frozen=True)
class Partition:
    """One partition as the catalog sees it (``start``/``end`` are None for DEFAULT)."""

    table: str
    name: str
    start: datetime | None
    end: datetime | None
    rows_estimate: int | None  # None until the table was first analysed
    bytes: int
    is_default: bool = False


@dataclass
class Report:
    """What ``ensure_partitions`` and ``drop_expired`` did (JSON-friendly through ``as_dict``)."""

    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # partition → rows moved out of DEFAULT
    dropped: list[str] = field(default_factory=list)
    kept_pending: list[str] = field(default_factory=list)
    default_deleted: dict[str, int] = field(default_factory=dict)  # DEFAULT partition → rows deleted
    skipped: list[str] = field(default_factory=list)  # lock not granted in time: next run

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "moved": self.moved,
            "dropped": self.dropped,
            "kept_pending": self.kept_pending,
            "default_deleted": self.default_deleted,
            "skipped": self.skipped,
        }


def month_start(moment: datetime) -> datetime:
    """The UTC month ``moment`` falls in."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(month: datetime, months: int) -> datetime:
    index = month.year * 12 + month.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _literal(month: datetime) -> str:
    # From a datetime only (digits and dashes): safe to inline where DDL takes no parameters.
    return f"'{month:%Y-%m-%d} 00:00:00+00'"


def _is_partitioned(cursor, table: Table) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table.name])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def _columns(cursor, table: Table) -> str:
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table.name],
    )
    return cursor.fetchone()[0]


def list_partitions(using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """Every partition of both tables, oldest first and DEFAULT last, with size and row estimate."""
    result: list[Partition] = []
    with connections[using].cursor() as cursor:
        for table in TABLES:
            if not _is_partitioned(cursor, table):
                continue
            cursor.execute(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples, pg_total_relation_size(c.oid) "
                "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass",
                [table.name],
            )
            for name, bound, tuples, size in cursor.fetchall():
                if bound is None:
                    # Attached or dropped by a concurrent run while the catalog was read (seen
                    # once in ~20 full suites: the test of two runs at once): not a partition
                    # of this listing; the next run sees it settled.
                    continue
                found = _BOUNDS.search(bound)
                # A range this module did not make (MINVALUE, …) is listed without dates: never dropped.
                start, end = (
                    (datetime.fromisoformat(found[1]), datetime.fromisoformat(found[2])) if found else (None, None)
                )
                estimate = int(tuples) if tuples >= 0 else None
                result.append(Partition(table.name, name, start, end, estimate, size, is_default=bound == "DEFAULT"))
    last = datetime.max.replace(tzinfo=UTC)
    return sorted(result, key=lambda p: (p.table, p.is_default, p.start or last))


def ensure_partitions(now: datetime | None = None, using: str = DEFAULT_DB_ALIAS) -> Report:
    """Create the partitions of the current month and the next two (both tables) when missing.

    Rows of such a month already in DEFAULT move into the new partition in the same transaction
    (DELETE … RETURNING into the new table, then ATTACH), so none is lost and ATTACH's check of
    DEFAULT passes. The new table is created alone and attached (ATTACH takes a lock that lets
    pushes continue, where CREATE TABLE … PARTITION OF would block them). Safe to run twice.
    """
    report = Report()
    first = month_start(now or timezone.now())
    months = [add_months(first, n) for n in range(MONTHS_AHEAD + 1)]
    listed = list_partitions(using)
    existing = {(p.table, p.start) for p in listed}
    connection = connections[using]
    for table in TABLES:
        with connection.cursor() as cursor:
            if not _is_partitioned(cursor, table):
                continue  # before migration 0008 (or migrated back): nothing to maintain
            if not any(p.table == table.name and p.is_default for p in listed):
                with transaction.atomic(using=using):
                    cursor.execute(f"CREATE TABLE IF NOT EXISTS {table.default} PARTITION OF {table.name} DEFAULT")
                report.created.append(table.default)
        for month in months:
            if (table.name, month) in existing:
                continue
            try:
                moved = _create(table, month, using)
            except OperationalError as exc:  # lock_timeout: the next run (or post_migrate) retries
                log.warning("Partition %s not created: %s", table.partition(month), exc)
                report.skipped.append(table.partition(month))
                continue
            if moved is None:
                continue  # a concurrent run made it while this one waited for the lock
            report.created.append(table.partition(month))
            if moved:
                report.moved[table.partition(month)] = moved
    return report


def _create(table: Table, month: datetime, using: str) -> int | None:
    """Create, fill from DEFAULT and attach one month; the rows moved (None: it exists already)."""
    name, end = table.partition(month), add_months(month, 1)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        # Parent first, then DEFAULT: the order ATTACH takes them in (no lock upgrade, no deadlock).
        # The parent's lock conflicts with itself, so two runs at once take turns.
        cursor.execute(f"LOCK TABLE {table.name} IN SHARE UPDATE EXCLUSIVE MODE")
        if _exists(cursor, name):
            return None
        cursor.execute(f"LOCK TABLE {table.default} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {table.name} {_LIKE})")
        columns = _columns(cursor, table)
        cursor.execute(
            f"WITH moved AS (DELETE FROM {table.default} WHERE {table.column} >= {_literal(month)} "  # noqa: S608 - identifiers from constants
            f"AND {table.column} < {_literal(end)} RETURNING {columns}) "
            f"INSERT INTO {name} ({columns}) SELECT {columns} FROM moved"
        )
        moved = cursor.rowcount
        cursor.execute(
            f"ALTER TABLE {table.name} ATTACH PARTITION {name} FOR VALUES FROM ({_literal(month)}) TO ({_literal(end)})"
        )
    if moved:
        log.info("Created partition %s and moved %d rows of its month out of %s", name, moved, table.default)
    else:
        log.info("Created partition %s", name)
    return moved


def drop_expired(
    now: datetime | None = None, using: str = DEFAULT_DB_ALIAS, document_days: int | None = None
) -> Report:
    """Drop the monthly partitions whose whole month is older than the table's retention.

    Documents: ``DEVICE_DOCUMENT_RETENTION_DAYS`` (or ``document_days``); minute counts:
    ``DEVICE_MINUTE_RETENTION_DAYS``. A month goes once its *end* is past the cutoff, so a row
    lives between the retention and the retention + one month. A document partition that still
    holds pending documents is kept (logged): those are not applied yet. In DEFAULT, rows older
    than the cutoff itself are deleted (a small DELETE: DEFAULT stays tiny); pending ones stay.
    Each partition is dropped in its own transaction, so one lock not granted skips only it.
    """
    report = Report()
    moment = now or timezone.now()
    partitions = list_partitions(using)
    for table in TABLES:
        days = document_days if table is DOCUMENTS and document_days is not None else table.retention_days()
        cutoff = moment - timedelta(days=days)
        for part in partitions:
            if part.table != table.name:
                continue
            if part.is_default:
                deleted = _delete_old_default(table, cutoff, using)
                if deleted:
                    report.default_deleted[part.name] = deleted
            elif part.end is not None and part.end <= cutoff:
                _drop(table, part, using, report)
    return report


def _drop(table: Table, part: Partition, using: str, report: Report) -> None:
    # Read through the parent (pruned to the month) and without a lock: keeping costs nothing,
    # and a partition a concurrent run just dropped reads as empty instead of failing.
    if table.keep_condition and _holds_kept_rows(table, part, using, table.name):
        report.kept_pending.append(part.name)
        return
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {table.name} IN ACCESS EXCLUSIVE MODE")  # DETACH takes it anyway
            if not _exists(cursor, part.name):
                return  # a concurrent run dropped it while this one waited for the lock
            # Detached first: from then on nothing can write into it, so the check below is final.
            cursor.execute(f"ALTER TABLE {table.name} DETACH PARTITION {part.name}")
            if table.keep_condition and _holds_kept_rows(table, part, using, part.name):  # arrived meanwhile
                report.kept_pending.append(part.name)
                transaction.set_rollback(True, using=using)  # attached again, as it was
                return
            cursor.execute(f"DROP TABLE {part.name}")
    except OperationalError as exc:
        log.warning("Partition %s not dropped: %s", part.name, exc)
        report.skipped.append(part.name)
        return
    log.info("Dropped partition %s (%s to %s)", part.name, part.start, part.end)
    report.dropped.append(part.name)


def _holds_kept_rows(table: Table, part: Partition, using: str, relation: str) -> bool:
    """Whether the month still holds rows retention must not take (read from the partial index)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {relation} WHERE {table.keep_condition} "  # noqa: S608 - identifiers from constants
            f"AND {table.column} >= %s AND {table.column} < %s",
            [part.start, part.end],
        )
        (kept,) = cursor.fetchone()
    if kept:
        log.warning(
            "Partition %s is past retention but holds %d pending documents: kept until applied", part.name, kept
        )
    return bool(kept)


def _delete_old_default(table: Table, cutoff: datetime, using: str) -> int:
    keep = f" AND NOT ({table.keep_condition})" if table.keep_condition else ""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table.default} WHERE {table.column} < %s{keep}", [cutoff])  # noqa: S608 - identifiers from constants
        deleted = cursor.rowcount
    if deleted:
        log.info("Deleted %d rows older than %s from %s", deleted, cutoff.isoformat(), table.default)
    return deleted
