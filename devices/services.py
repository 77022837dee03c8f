"""Writes of the devices app: accept a pushed document, replay stored ones.

A push is parsed and validated here and answered at once: a refusal is kept as rejected and
answered 400 with the field and reason; an accepted document is kept as pending with one INSERT
(one durable write) and applied later, in batches, by ``devices.applier``. Applying is where
counts, hourly rollups and devices change; ``store_counts`` below is its per-second path.

Counts keep ``HourlyFootfall`` exactly the sum of ``MinuteCount``: the rollup gets the
difference between each new count and the one it supersedes, in the same transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devices import compression, conf, health
from devices.models import (
    Device,
    HourlyFootfall,
    MinuteCount,
    Outcome,
    ReceivedDocument,
)
from devices.redaction import redact_secrets
from devices.seconds import fold_seconds, latest_transmit
from devices.xml import CountRecord, DeviceDocument, XMLRejected, parse_document, sniff_device_id
from stores.models import Store
from vislivis.database import kept_cursor

log = logging.getLogger(__name__)

MEASURES = ("enters", "exits", "passings", "returns")


@dataclass(frozen=True)
class IngestResult:
    """What happened to one received document (the view turns it into the reply)."""

    accepted: bool
    kind: str
    device_id: str
    records: int = 0
    applied: int = 0
    field: str = ""
    error: str = ""
    document_id: int | None = None


def ingest_document(
    store: Store,
    body: bytes,
    *,
    received_at: datetime | None = None,
    remote_addr: str | None = None,
    content_type: str = "",
) -> IngestResult:
    """Parse and apply one pushed document, and keep it (accepted or rejected) for inspection and replay.

    What is kept is the body with its password values redacted (``devices.redaction``), never
    the secrets; the verdict is the parser's on the body as received.
    """
    received_at = received_at or timezone.now()
    verdict = _parse(body, f"store {store.pk}")
    if isinstance(verdict, XMLRejected):
        return _keep_rejected(_stored(store, body, received_at, remote_addr, content_type), body, verdict)
    kept, encoding = compression.encode(redact_secrets(body))
    values = _pending_values(verdict, kept, encoding, body, received_at, remote_addr, content_type)
    return _accepted(verdict, _keep_pending(_PENDING_SQL, [store.pk, *values]))


def ingest_pushed(
    ingest_key: str,
    body: bytes,
    *,
    received_at: datetime | None = None,
    remote_addr: str | None = None,
    content_type: str = "",
) -> IngestResult | None:
    """``ingest_document`` for the store of an ingest key (the camera endpoint), or None when the
    key names no store. The key's lookup is folded into the one INSERT of an accepted push (an
    ``INSERT … SELECT`` from the store row): one round trip to the database per push, not two.
    A refused document looks its store up itself, to keep the refusal beside the store."""
    verdict = parse_pushed(ingest_key, body)
    return keep_pushed(
        ingest_key, body, verdict, received_at=received_at, remote_addr=remote_addr, content_type=content_type
    )


def parse_pushed(ingest_key: str, body: bytes) -> DeviceDocument | XMLRejected:
    """The parsed push, or the ``XMLRejected`` that refuses it (first half of ``ingest_pushed``:
    the camera view counts the push's throttle meanwhile)."""
    return _parse(body, f"ingest key {ingest_key[:4]}…")


def keep_pushed(
    ingest_key: str,
    body: bytes,
    verdict: DeviceDocument | XMLRejected,
    *,
    received_at: datetime | None = None,
    remote_addr: str | None = None,
    content_type: str = "",
) -> IngestResult | None:
    """Keep a push ``parse_pushed`` judged (second half of ``ingest_pushed``), or None when the
    key names no store."""
    if len(ingest_key) > INGEST_KEY_MAX_LENGTH:
        return None
    received_at = received_at or timezone.now()
    if isinstance(verdict, XMLRejected):
        store_id = store_of_ingest_key(ingest_key)
        if store_id is None:
            return None
        stored = _stored(Store(pk=store_id), body, received_at, remote_addr, content_type)
        return _keep_rejected(stored, body, verdict)
    kept, encoding = compression.encode(redact_secrets(body))
    values = _pending_values(verdict, kept, encoding, body, received_at, remote_addr, content_type)
    document_id = _keep_pending(_PENDING_BY_KEY_SQL, [*values, ingest_key])
    return None if document_id is None else _accepted(verdict, document_id)


# An ingest key is 43 URL-safe characters (stores.models); anything past this is no key at all.
INGEST_KEY_MAX_LENGTH = 64
STORE_OF_KEY_SQL = "SELECT id FROM stores_store WHERE ingest_key = %s"


def store_of_ingest_key(ingest_key: str) -> int | None:
    """The store id of an ingest key, by its unique index: a prepared statement (the ORM spent
    ~0.3 ms of CPU compiling this one query, a fifth of a push's work)."""
    if len(ingest_key) > INGEST_KEY_MAX_LENGTH:
        return None
    with kept_cursor() as cursor:
        cursor.execute(STORE_OF_KEY_SQL, [ingest_key], prepare=True)
        row = cursor.fetchone()
    return row[0] if row else None


def _parse(body: bytes, label: str):
    """The parsed document, or the ``XMLRejected`` that refuses it (a parser bug refuses too)."""
    try:
        return parse_document(body)
    except XMLRejected as exc:
        return exc
    except Exception:  # noqa: BLE001 - a parser bug must not cost the document or answer 500
        log.exception("Device document parser failed for %s", label)
        return XMLRejected("The document could not be read.")


def _stored(store: Store, body: bytes, received_at: datetime, remote_addr: str | None, content_type: str) -> dict:
    """The ReceivedDocument fields of a refused push."""
    return {
        "store": store,
        "body": redact_secrets(body),
        "size": len(body),
        "content_type": printable(content_type)[:200],
        "remote_addr": remote_addr,
        "received_at": received_at,
    }


def _pending_values(document, kept: bytes, encoding: str, body: bytes, received_at, remote_addr, content_type) -> list:
    """The pending row's values after ``store_id``, in ``_PENDING_COLUMNS`` order."""
    return [
        document.device_id,
        document.kind,
        kept,
        encoding,
        len(body),
        printable(content_type)[:200],
        remote_addr,
        received_at,
        document.records,
    ]


def _accepted(document, document_id: int) -> IngestResult:
    applied = 0
    if conf.apply_inline():
        from devices import applier

        applied = applier.apply_documents([document_id]).get(document_id, 0)
    return IngestResult(True, document.kind, document.device_id, document.records, applied, document_id=document_id)


# The one durable write of an accepted push (server-side binding, prepared: the hot path).
_PENDING_COLUMNS = """
    (store_id, device_key, kind, body, body_encoding, size, content_type, remote_addr, received_at,
     outcome, error, records, applied)"""
_PENDING_SQL = f"""
INSERT INTO devices_receiveddocument {_PENDING_COLUMNS}
VALUES (%s, %s, %s, %s, %s, %s, %s, %s::inet, %s, 'pending', '', %s, 0)
RETURNING id
"""  # noqa: S608 - constants only
# The same with the store found by its ingest key (no row inserted when no store has it).
_PENDING_BY_KEY_SQL = f"""
INSERT INTO devices_receiveddocument {_PENDING_COLUMNS}
SELECT s.id, %s, %s, %s, %s, %s, %s, %s::inet, %s, 'pending', '', %s, 0
FROM stores_store s WHERE s.ingest_key = %s
RETURNING id
"""  # noqa: S608 - constants only


def _keep_pending(sql: str, values: list) -> int | None:
    with kept_cursor() as cursor:
        cursor.execute(sql, values, prepare=True)
        row = cursor.fetchone()
    return row[0] if row else None


def _keep_rejected(stored: dict, body: bytes, exc: XMLRejected) -> IngestResult:
    """Keep a refused document with its reason (for the console and for replay after a fix)."""
    device_key = printable(sniff_device_id(body))
    log.warning(
        "Rejected device document for store %s (DeviceId %r, %d bytes): %s: %s",
        stored["store"].pk,
        device_key,
        len(body),
        exc.field,
        exc.reason,
    )
    error = f"{exc.field}: {exc.reason}"[:500]
    kind = printable(health.sniff_root(body))[:16]
    store = stored["store"]
    device_pk = (
        Device.objects.filter(store=store, device_id=device_key).values_list("pk", flat=True).first()
        if device_key
        else None
    )
    with transaction.atomic():
        row = ReceivedDocument.objects.create(
            **stored, device_id=device_pk, device_key=device_key, kind=kind, outcome=Outcome.REJECTED, error=error
        )
        if device_pk is not None and health.is_data_kind(kind):
            record_refusal(device_pk, row, error)
    return IngestResult(False, "", device_key, field=exc.field, error=exc.reason, document_id=row.pk)


def record_refusal(device_pk: int, document: ReceivedDocument, reason: str) -> None:
    """Mark a known device as refusing (``devices.health``): its counts are not arriving.

    One conditional UPDATE: a refusal received earlier than the one recorded (a late retry)
    never replaces it. A DeviceId never accepted is no device yet: its refused documents are in
    the console's document list (and become counts by replay after a parser fix).
    """
    Device.objects.filter(pk=device_pk).filter(
        Q(last_refused_at__isnull=True) | Q(last_refused_at__lte=document.received_at)
    ).update(last_refused_at=document.received_at, last_refusal_reason=reason, last_refused_document=document)


def printable(text: str) -> str:
    """``text`` without control characters (NUL cannot reach PostgreSQL text columns)."""
    return "".join(ch for ch in text if ch.isprintable())


def _dedupe(counts: Iterable[CountRecord]) -> dict[tuple[int, datetime], CountRecord]:
    """One record per (object type, period start); within a document the later one wins."""
    return {(c.object_type, c.period_start): c for c in counts}


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _seconds_by_minute(counts: Iterable[CountRecord]) -> dict[tuple[int, datetime], dict[int, CountRecord]]:
    """Per-second records grouped by (object type, UTC minute) → {second: record}; the later one wins."""
    grouped: dict[tuple[int, datetime], dict[int, CountRecord]] = defaultdict(dict)
    for record in counts:
        grouped[(record.object_type, minute_of(record.period_start))][record.period_start.second] = record
    return grouped


def _count_slot(record: CountRecord) -> list[int]:
    return [record.enters, record.exits, record.passings, record.returns, record.status]


def _folded_minute(device: Device, object_type: int, minute: datetime, slots: dict, seen_at: datetime) -> MinuteCount:
    """A minute row whose measures are the sums of its second slots."""
    totals = [sum(slot[index] for slot in slots.values()) for index in range(4)]
    latest = slots[max(slots, key=int)]
    return MinuteCount(
        device=device,
        object_type=object_type,
        period_start=minute,
        interval=1,
        **dict(zip(MEASURES, totals, strict=True)),
        status=latest[4],
        transmit_time=latest_transmit(slots),
        received_at=seen_at,
        seconds=slots,
    )


def store_counts(
    device: Device, counts: Iterable[CountRecord], transmit_time: datetime, seen_at: datetime
) -> tuple[int, set[datetime]]:
    """Store one document's counts for ``device`` (locked by the caller) by the supersede rule,
    folding per-second ones into their minute; returns (records applied, people-count hours changed).

    The ORM path of the applier, for per-second counts (``Interval="0"``); fixed statements
    whatever the number of counts: read the stored rows of the span, upsert the winners in bulk,
    then the hourly rows with the differences.
    """
    counts = list(counts)
    by_key = _dedupe(c for c in counts if c.interval)
    by_minute = _seconds_by_minute(c for c in counts if not c.interval)
    keys = set(by_key) | set(by_minute)
    if not keys:
        return 0, set()
    starts = [start for _, start in keys]
    existing = {
        (row.object_type, row.period_start): row
        for row in MinuteCount.objects.filter(
            device=device,
            object_type__in={t for t, _ in keys},
            period_start__gte=min(starts),
            period_start__lte=max(starts),
        )
    }
    current = dict(existing)  # the rows as this document leaves them, key by key
    changed: dict[tuple[int, datetime], MinuteCount] = {}
    applied = 0
    for key, record in by_key.items():
        old = current.get(key)
        if old is not None and old.transmit_time > transmit_time:
            continue  # supersede rule: an older push delivered late changes nothing
        row = MinuteCount(
            device=device,
            object_type=record.object_type,
            period_start=record.period_start,
            interval=record.interval,
            enters=record.enters,
            exits=record.exits,
            passings=record.passings,
            returns=record.returns,
            status=record.status,
            transmit_time=transmit_time,
            received_at=seen_at,
            seconds=None,
        )
        current[key] = changed[key] = row
        applied += 1
    for (object_type, minute), seconds in by_minute.items():
        folded = fold_seconds(current.get((object_type, minute)), seconds, transmit_time, _count_slot)
        if folded is None:
            continue
        slots, count = folded
        row = _folded_minute(device, object_type, minute, slots, seen_at)
        current[(object_type, minute)] = changed[(object_type, minute)] = row
        applied += count
    if not changed:
        return 0, set()
    deltas: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for key, row in changed.items():
        old = existing.get(key)
        delta = deltas[(row.object_type, hour_of(row.period_start))]
        for index, name in enumerate(MEASURES):
            delta[index] += getattr(row, name) - (getattr(old, name) if old is not None else 0)
    MinuteCount.objects.bulk_create(
        list(changed.values()),
        update_conflicts=True,
        unique_fields=["device", "object_type", "period_start"],
        update_fields=["interval", *MEASURES, "status", "transmit_time", "received_at", "seconds"],
    )
    _apply_rollup_deltas(device, deltas)
    return applied, {hour for object_type, hour in deltas if object_type == 0}


def _apply_rollup_deltas(device: Device, deltas: dict[tuple[int, datetime], list[int]]) -> None:
    """Add the deltas to the device's hourly rows (created at zero when new, so quiet hours show as 0)."""
    hours = [hour for _, hour in deltas]
    wanted = Q(device=device, object_type__in={t for t, _ in deltas}, hour__gte=min(hours), hour__lte=max(hours))
    fetched = list(HourlyFootfall.objects.filter(wanted))
    current = {(row.object_type, row.hour): row for row in fetched if row.device_id == device.pk}
    rows = []
    for (object_type, hour), delta in deltas.items():
        row = current.get((object_type, hour))
        if row is not None and not any(delta):
            continue
        base = [getattr(row, name) for name in MEASURES] if row is not None else [0, 0, 0, 0]
        totals = dict(zip(MEASURES, (b + d for b, d in zip(base, delta, strict=True)), strict=True))
        rows.append(
            HourlyFootfall(store_id=device.store_id, device=device, object_type=object_type, hour=hour, **totals)
        )
    if rows:
        HourlyFootfall.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["device", "object_type", "hour"],
            update_fields=list(MEASURES),
        )


def replay_document(document: ReceivedDocument) -> IngestResult:
    """Parse a stored document again (after a parser fix) and apply it through the applier; updates
    it in place (a document that still does not parse stays rejected with the new reason).

    Safe to run twice: the supersede rule makes an already applied document change nothing.
    """
    body = document.raw_body()
    now = timezone.now()
    try:
        parsed = parse_document(body)
    except Exception as error:  # noqa: BLE001 - as on ingest: a parser bug leaves the document refused
        if isinstance(error, XMLRejected):
            exc = error
        else:
            log.exception("Device document parser failed on replay of document %s", document.pk)
            exc = XMLRejected("The document could not be read.")
        ReceivedDocument.objects.filter(pk=document.pk).update(
            outcome=Outcome.REJECTED, error=f"{exc.field}: {exc.reason}"[:500], replayed_at=now
        )
        return IngestResult(False, "", document.device_key, field=exc.field, error=exc.reason, document_id=document.pk)
    ReceivedDocument.objects.filter(pk=document.pk).update(
        outcome=Outcome.PENDING,
        error="",
        device_key=parsed.device_id,
        kind=parsed.kind,
        records=parsed.records,
        applied=0,
        applied_at=None,
        replayed_at=now,
    )
    # Applied at once through the applier (a batch of one), inline mode or not: a replay is an
    # operator's command and its answer says what it did. A running applier that claimed the
    # document first applies it instead (then ``applied`` here is 0).
    from devices import applier

    applied = applier.apply_documents([document.pk]).get(document.pk, 0)
    return IngestResult(True, parsed.kind, parsed.device_id, parsed.records, applied, document_id=document.pk)
