"""Applies accepted camera documents in batches: the push only keeps them (``devices.services``).

Why: a camera in real-time mode pushes its current minute's running total every time somebody
passes, so most of a push's work (device, counts, hourly rollup, business days) is superseded
seconds later by the next push of the same minute. Applying documents in batches does that work
once per batch with a fixed handful of set-based statements whatever the number of documents:

1. **Claim** up to ``limit`` pending documents, oldest first, ``FOR UPDATE SKIP LOCKED``: several
   appliers on several machines never take the same document, and a batch is one transaction, so
   an applier killed mid-batch (even by SIGKILL) leaves its documents pending for the next one.
2. **Devices**: one upsert for every device of the batch, in (store, DeviceId) order so two
   appliers never wait on each other in a cycle; it keeps ``last_seen``/``last_data_at`` the latest and the
   properties those of the newest ``TransmitTime`` (``devices.health``), and locks the device rows
   until commit, so a device's counts are changed by one transaction at a time.
3. **Counts**: for each (device, object type, minute) the batch's winner by the supersede rule
   (the latest ``TransmitTime``; at a tie the later push) goes through one statement that upserts
   the minute rows where the stored ``TransmitTime`` is not newer and adds the difference to
   ``HourlyFootfall``, so the rollup stays the sum of the minute rows. Per-second counts and
   demographics (HX-CCD21 V2.1) are folded by the ORM path of ``devices.services`` under the same
   locks.
4. **Mark** the documents accepted with the records each applied, in one statement.
5. **Tell** the business-day rollup which store hours changed (``stores.signals``: the rollup
   subscribes; devices does not import it), still in the transaction, then after commit publish
   one live event per device.

A document whose apply fails (which the parser should have refused) would block every batch it is
in: the batch is then retried document by document and the failing one is marked rejected with
the reason, kept for inspection and replay.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from devices import compression, conf
from devices.demographics import store_demographics
from devices.models import IDENTITY_FIELDS, PROPERTY_FIELDS, Device, identity_values
from devices.xml import COUNT_ROOTS, DeviceDocument, XMLRejected, parse_document
from stores.events import publish_store_event
from stores.signals import CAMERA, hourly_counts_changed
from vislivis.database import server_bound_cursor

log = logging.getLogger(__name__)

# What a failed statement raises: Django's wrapper, or psycopg's own on the prepared raw cursors.
DATABASE_ERRORS = (DatabaseError, psycopg.Error)

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class Backlog:
    """What waits for the applier: how many documents, and the oldest one's receive time."""

    pending: int
    oldest_received_at: datetime | None

    def lag_seconds(self, now: datetime | None = None) -> float:
        """The apply lag: the age of the oldest pending document (0 when nothing waits)."""
        if self.oldest_received_at is None:
            return 0.0
        return max(0.0, ((now or timezone.now()) - self.oldest_received_at).total_seconds())


def backlog() -> Backlog:
    """Pending documents and the oldest one's receive time: one read of the partial index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(received_at) FROM devices_receiveddocument WHERE outcome = 'pending'")
        pending, oldest = cursor.fetchone()
    return Backlog(pending=pending, oldest_received_at=oldest)


# --- claiming ---------------------------------------------------------------------------------------

_CLAIM_COLUMNS = "id, store_id, device_key, body, body_encoding, received_at"
_CLAIM_OLDEST = (
    f"SELECT {_CLAIM_COLUMNS} FROM devices_receiveddocument "  # noqa: S608 - constants only
    "WHERE outcome = 'pending' ORDER BY received_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
)
_CLAIM_IDS = (
    f"SELECT {_CLAIM_COLUMNS} FROM devices_receiveddocument "  # noqa: S608 - constants only
    "WHERE outcome = 'pending' AND id = ANY(%s) ORDER BY received_at, id FOR UPDATE SKIP LOCKED"
)


@dataclass
class Claimed:
    """One pending document of the batch, parsed again from what was kept."""

    pk: int
    store_id: int
    device_key: str
    received_at: datetime
    document: DeviceDocument | None = None
    error: str = ""
    device_pk: int | None = None
    applied: int = 0
    too_old: bool = False

    @property
    def transmit_time(self) -> datetime:
        assert self.document is not None
        return self.document.properties.transmit_time or self.received_at


def apply_batch(limit: int = DEFAULT_BATCH) -> int:
    """Claim up to ``limit`` pending documents (oldest first) and apply them; returns how many were
    taken (0: nothing pending)."""
    return _run(_CLAIM_OLDEST, limit)


def apply_documents(ids: list[int]) -> dict[int, int]:
    """Apply these pending documents now (the inline mode and replays); returns {id: records applied}
    for the ones this call took (a document another applier holds or already applied is skipped)."""
    taken: dict[int, int] = {}
    _run(_CLAIM_IDS, list(ids), taken)
    return taken


def drain(limit: int = DEFAULT_BATCH) -> int:
    """Apply batches until nothing is pending; returns how many documents were taken."""
    total = 0
    while taken := apply_batch(limit):
        total += taken
    return total


def _run(claim_sql: str, argument, taken: dict[int, int] | None = None) -> int:
    try:
        with transaction.atomic():
            batch = _claim(claim_sql, argument)
            if batch:
                _apply(batch)
    except DATABASE_ERRORS:
        if not transaction.get_autocommit():
            raise  # inside a caller's transaction (tests, inline in an atomic block): nothing to retry
        log.exception("Batch apply failed; retrying its documents one by one")
        return _one_by_one(claim_sql, argument, taken)
    _after_commit(batch)
    if taken is not None:
        taken.update({item.pk: item.applied for item in batch})
    return len(batch)


def _one_by_one(claim_sql: str, argument, taken: dict[int, int] | None) -> int:
    """The slow path after a failed batch: each document in its own transaction; one that fails
    alone is marked rejected with the reason (kept for inspection and replay)."""
    with transaction.atomic():
        ids = [row.pk for row in _claim(claim_sql, argument, parse=False)]
    for pk in ids:
        try:
            with transaction.atomic():
                batch = _claim(_CLAIM_IDS, [pk])
                if batch:
                    _apply(batch)
        except DATABASE_ERRORS as error:
            log.exception("Device document %s could not be applied; marked rejected", pk)
            reason = f"apply: {str(error).splitlines()[0] if str(error) else type(error).__name__}"[:500]
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE devices_receiveddocument SET outcome = 'rejected', error = %s "
                    "WHERE id = %s AND outcome = 'pending'",
                    [reason, pk],
                )
            continue
        _after_commit(batch)
        if taken is not None:
            taken.update({item.pk: item.applied for item in batch})
    return len(ids)


def _claim(sql: str, argument, parse: bool = True) -> list[Claimed]:
    with server_bound_cursor() as cursor:
        cursor.execute(sql, [argument], prepare=True)
        rows = cursor.fetchall()
    batch = []
    for pk, store_id, device_key, body, encoding, received_at in rows:
        item = Claimed(pk=pk, store_id=store_id, device_key=device_key, received_at=received_at)
        if parse:
            try:
                item.document = parse_document(compression.decode(body, encoding))
            except XMLRejected as exc:  # a parser changed since the push accepted it
                item.error = f"{exc.field}: {exc.reason}"[:500]
            except Exception:  # noqa: BLE001 - a parser bug must not block the queue
                log.exception("Device document parser failed on apply of document %s", pk)
                item.error = "body: The document could not be read."
        batch.append(item)
    return batch


# --- applying ---------------------------------------------------------------------------------------

# Columns that follow the newest document only (a late, older push never rolls them back).
_NEWEST = (*IDENTITY_FIELDS, "last_document_kind", *PROPERTY_FIELDS)

_DEVICE_COLUMNS = (
    "store_id",
    "device_id",
    "first_seen",
    "last_seen",
    "last_data_at",
    "last_refusal_reason",
    "properties_transmit_time",
    *_NEWEST,
)


@functools.cache
def _device_sql() -> str:
    """Every device of a batch in one upsert, in (store, DeviceId) order (the order its row locks
    are taken in, the same in every applier). Column names and types come from the model; every
    value is a parameter (one array per column)."""
    fields = {field.column: field for field in Device._meta.concrete_fields}
    arrays = ", ".join(f"%s::{fields[name].db_type(connection)}[]" for name in _DEVICE_COLUMNS)
    newest = ", ".join(
        f"{name} = CASE WHEN d.properties_transmit_time IS NULL "
        f"OR EXCLUDED.properties_transmit_time >= d.properties_transmit_time THEN EXCLUDED.{name} ELSE d.{name} END"
        for name in (*_NEWEST, "properties_transmit_time")
    )
    return (
        f"INSERT INTO devices_device AS d ({', '.join(_DEVICE_COLUMNS)}) "  # noqa: S608 - constants only
        f"SELECT * FROM unnest({arrays}) ORDER BY 1, 2 "
        "ON CONFLICT (store_id, device_id) DO UPDATE SET last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen), "
        # Health (devices.health): GREATEST ignores NULL, so a Diags (NULL here) keeps the last data time.
        "last_data_at = GREATEST(d.last_data_at, EXCLUDED.last_data_at), "
        f"{newest} RETURNING d.id, d.store_id, d.device_id, d.last_seen"
    )


# The batch's winning counts, one per (device, object type, minute). ``old`` reads the stored
# rows in the snapshot taken after the device locks (statement 2), so it holds exactly what the
# counts were before this batch, and ``up − old`` per hour keeps HourlyFootfall the sum of them.
_COUNTS_SQL = """
WITH input AS (
    SELECT * FROM unnest(%(devices)s::bigint[], %(types)s::smallint[], %(starts)s::timestamptz[],
                         %(intervals)s::smallint[], %(enters)s::integer[], %(exits)s::integer[],
                         %(passings)s::integer[], %(returns)s::integer[], %(statuses)s::integer[],
                         %(transmits)s::timestamptz[], %(seens)s::timestamptz[])
        AS t(device_id, object_type, period_start, "interval", enters, exits, passings, returns, status,
             transmit_time, received_at)
),
old AS (
    SELECT m.device_id, m.object_type, m.period_start, m.enters, m.exits, m.passings, m.returns
    FROM devices_minutecount m
    JOIN input i ON i.device_id = m.device_id AND i.object_type = m.object_type AND i.period_start = m.period_start
),
up AS (
    INSERT INTO devices_minutecount AS m
        (device_id, object_type, period_start, "interval", enters, exits, passings, returns, status,
         transmit_time, received_at)
    SELECT device_id, object_type, period_start, "interval", enters, exits, passings, returns, status,
           transmit_time, received_at
    FROM input
    ON CONFLICT (device_id, object_type, period_start) DO UPDATE SET
        "interval" = EXCLUDED."interval", enters = EXCLUDED.enters, exits = EXCLUDED.exits,
        passings = EXCLUDED.passings, returns = EXCLUDED.returns, status = EXCLUDED.status,
        transmit_time = EXCLUDED.transmit_time, received_at = EXCLUDED.received_at, seconds = NULL
    WHERE m.transmit_time <= EXCLUDED.transmit_time
    RETURNING m.device_id, m.object_type, m.period_start, m.enters, m.exits, m.passings, m.returns
),
deltas AS (
    SELECT up.device_id, up.object_type, date_trunc('hour', up.period_start) AS hour,
           sum(up.enters - coalesce(old.enters, 0)) AS enters,
           sum(up.exits - coalesce(old.exits, 0)) AS exits,
           sum(up.passings - coalesce(old.passings, 0)) AS passings,
           sum(up.returns - coalesce(old.returns, 0)) AS returns
    FROM up LEFT JOIN old
      ON old.device_id = up.device_id AND old.object_type = up.object_type AND old.period_start = up.period_start
    GROUP BY 1, 2, 3
),
bumped AS (
    UPDATE devices_hourlyfootfall h SET
        enters = h.enters + deltas.enters, exits = h.exits + deltas.exits,
        passings = h.passings + deltas.passings, returns = h.returns + deltas.returns
    FROM deltas
    WHERE h.device_id = deltas.device_id AND h.object_type = deltas.object_type AND h.hour = deltas.hour
    RETURNING h.device_id, h.object_type, h.hour
),
rolled AS (
    -- New hours only (the device locks keep anyone else from adding these devices' hours meanwhile);
    -- an insert's CHECKs apply to the candidate row, so deltas are never offered as one.
    INSERT INTO devices_hourlyfootfall (store_id, device_id, object_type, hour, enters, exits, passings, returns)
    SELECT d.store_id, deltas.device_id, deltas.object_type, deltas.hour,
           deltas.enters, deltas.exits, deltas.passings, deltas.returns
    FROM deltas JOIN devices_device d ON d.id = deltas.device_id
    WHERE NOT EXISTS (SELECT 1 FROM bumped b WHERE b.device_id = deltas.device_id
                      AND b.object_type = deltas.object_type AND b.hour = deltas.hour)
    RETURNING 1
)
SELECT device_id, object_type, period_start FROM up
"""

_MARK_SQL = """
UPDATE devices_receiveddocument d
SET outcome = CASE WHEN v.error = '' THEN 'accepted' ELSE 'rejected' END, error = v.error,
    applied = v.applied, device_id = v.device, applied_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(received)s::timestamptz[], %(applied)s::integer[], %(devices)s::bigint[],
            %(errors)s::text[]) AS v(id, received_at, applied, device, error)
WHERE d.id = v.id AND d.received_at = v.received_at
"""


@dataclass
class _Winner:
    item: Claimed
    record: object
    transmit: datetime
    order: int
    losers: list[Claimed] = field(default_factory=list)


def minute_horizon(now: datetime | None = None) -> datetime:
    """Counts of periods before this are not applied: minute rows older than the retention
    (``DEVICE_MINUTE_RETENTION_DAYS``) are dropped with their monthly partition, and adding such
    a count again would add it to its hour a second time. The document keeps them (``applied``
    is less than ``records``) and a warning names it."""
    return (now or timezone.now()) - timedelta(days=conf.minute_retention_days())


def _apply(batch: list[Claimed]) -> None:
    now = timezone.now()
    cutoff = minute_horizon(now)
    good = [item for item in batch if item.document is not None]
    devices = _upsert_devices(good)
    for item in good:
        item.device_pk = devices[(item.store_id, item.document.device_id)].pk
    changed_hours: dict[int, set[datetime]] = defaultdict(set)
    whole = [item for item in good if not item.document.has_seconds]
    _apply_whole_counts(whole, cutoff, changed_hours)
    for item in good:
        device = devices[(item.store_id, item.document.device_id)]
        if item.document.demographics:
            item.applied += store_demographics(device, item.document.demographics, item.transmit_time, item.received_at)
        if item.document.has_seconds:
            from devices.services import store_counts

            counts = [c for c in item.document.counts if c.period_start >= cutoff]
            if len(counts) < len(item.document.counts):
                _warn_too_old(item, min(c.period_start for c in item.document.counts), cutoff)
            applied, hours = store_counts(device, counts, item.transmit_time, item.received_at)
            item.applied += applied
            changed_hours[item.store_id].update(hours)
    _mark(batch, now)
    if changed_hours:
        hourly_counts_changed.send(
            sender=Device, source=CAMERA, hours={store: sorted(hours) for store, hours in sorted(changed_hours.items())}
        )


def _upsert_devices(items: list[Claimed]) -> dict[tuple[int, str], Device]:
    """Every device of the batch in one upsert; returns the devices, locked until commit."""
    grouped: dict[tuple[int, str], list[Claimed]] = defaultdict(list)
    for item in items:
        grouped[(item.store_id, item.document.device_id)].append(item)
    if not grouped:
        return {}
    rows = []
    for (store_id, device_id), docs in sorted(grouped.items()):
        newest = max(docs, key=lambda item: (item.transmit_time, item.received_at, item.pk))
        data = [item.received_at for item in docs if item.document.kind in COUNT_ROOTS]
        document = newest.document
        values = {
            **identity_values(document),
            "last_document_kind": document.kind,
            **{name: getattr(document.properties, name) for name in PROPERTY_FIELDS},
        }
        rows.append(
            [
                store_id,
                device_id,
                min(item.received_at for item in docs),
                max(item.received_at for item in docs),
                max(data) if data else None,
                "",
                newest.transmit_time,
                *(values[name] for name in _NEWEST),
            ]
        )
    with server_bound_cursor() as cursor:
        cursor.execute(_device_sql(), [list(column) for column in zip(*rows, strict=True)], prepare=True)
        returned = cursor.fetchall()
    return {
        (store_id, device_id): Device(pk=pk, store_id=store_id, device_id=device_id, last_seen=last_seen)
        for pk, store_id, device_id, last_seen in returned
    }


def _apply_whole_counts(items: list[Claimed], cutoff: datetime, changed_hours: dict[int, set[datetime]]) -> None:
    """The batch's counts of whole intervals in one statement, coalesced by the supersede rule."""
    winners: dict[tuple[int, int, datetime], _Winner] = {}
    for order, item in enumerate(sorted(items, key=lambda item: (item.received_at, item.pk))):
        transmit = item.transmit_time
        for record in item.document.counts:
            if record.period_start < cutoff:
                _warn_too_old(item, record.period_start, cutoff)
                continue
            key = (item.device_pk, record.object_type, record.period_start)
            current = winners.get(key)
            if current is None:
                winners[key] = _Winner(item, record, transmit, order)
            elif (transmit, order) >= (current.transmit, current.order):
                if current.item is not item:
                    current.losers.append(current.item)
                winners[key] = _Winner(item, record, transmit, order, current.losers)
            elif current.item is not item:
                current.losers.append(item)
    if not winners:
        return
    chosen = list(winners.values())
    params = {
        "devices": [w.item.device_pk for w in chosen],
        "types": [w.record.object_type for w in chosen],
        "starts": [w.record.period_start for w in chosen],
        "intervals": [w.record.interval for w in chosen],
        "enters": [w.record.enters for w in chosen],
        "exits": [w.record.exits for w in chosen],
        "passings": [w.record.passings for w in chosen],
        "returns": [w.record.returns for w in chosen],
        "statuses": [w.record.status for w in chosen],
        "transmits": [w.transmit for w in chosen],
        "seens": [w.item.received_at for w in chosen],
    }
    with server_bound_cursor() as cursor:
        cursor.execute(_COUNTS_SQL, params, prepare=True)
        upserted = cursor.fetchall()
    store_of = {w.item.device_pk: w.item.store_id for w in chosen}
    for device_pk, object_type, period_start in upserted:
        winner = winners[(device_pk, object_type, period_start)]
        # A record superseded by a later push of the same batch counts as applied when its
        # successor was: one at a time, it would have been applied and then superseded.
        for item in {id(i): i for i in (winner.item, *winner.losers)}.values():
            item.applied += 1
        if object_type == 0:
            changed_hours[store_of[device_pk]].add(period_start.replace(minute=0, second=0, microsecond=0))


def _warn_too_old(item: Claimed, period_start: datetime, cutoff: datetime) -> None:
    if not item.too_old:
        item.too_old = True
        log.warning(
            "Device document %s (DeviceId %r) has counts from %s, before the minute retention (%s): not applied",
            item.pk,
            item.document.device_id,
            period_start.isoformat(),
            cutoff.isoformat(),
        )


def _mark(batch: list[Claimed], now: datetime) -> None:
    with server_bound_cursor() as cursor:
        cursor.execute(
            _MARK_SQL,
            {
                "now": now,
                "ids": [item.pk for item in batch],
                "received": [item.received_at for item in batch],
                "applied": [item.applied for item in batch],
                "devices": [item.device_pk for item in batch],
                "errors": [item.error for item in batch],
            },
            prepare=True,
        )


def _after_commit(batch: list[Claimed]) -> None:
    """One live event per device of the batch (the dashboards refetch on it)."""
    latest: dict[int, Claimed] = {}
    records: dict[int, int] = defaultdict(int)
    for item in batch:
        if item.document is None or item.device_pk is None:
            continue
        records[item.device_pk] += item.document.records
        if item.device_pk not in latest or item.received_at >= latest[item.device_pk].received_at:
            latest[item.device_pk] = item
    for device_pk, item in latest.items():
        publish_store_event(
            item.store_id,
            "device",
            {
                "device_id": item.document.device_id,
                "kind": item.document.kind,
                "records": records[device_pk],
                "last_seen": item.received_at.isoformat(),
            },
        )
