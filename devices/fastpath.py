"""The camera push on PostgreSQL in two statements: what ``devices.services`` does, without the ORM.

The portable path (``services.apply_document`` + a ``ReceivedDocument`` insert) takes seven
round trips and spends most of its time compiling ORM queries; the bench measured it at ~12 ms
a document. Here the same rules run as two fixed SQL statements inside one transaction:

1. ``INSERT … ON CONFLICT DO UPDATE`` on the device: registers it on its first push, keeps
   ``last_seen`` (and, for data documents, ``last_data_at``: ``devices.health``) the latest and
   the properties those of the newest ``TransmitTime``, and locks its row until commit, so two
   pushes of one camera never interleave (as before).
2. One statement with data-modifying CTEs: read the stored counts of the document's keys
   (``old``), upsert the counts where the stored ``TransmitTime`` is not newer (``up``: the
   supersede rule), add ``up − old`` per hour to ``HourlyFootfall`` and insert the
   ``ReceivedDocument`` with the number of counts applied. Every CTE sees the snapshot taken
   after statement 1 got the device lock, so ``old`` holds exactly what the counts were before
   this document, and the rollup stays the sum of the minute rows. ObjectType 3 demographics,
   when the document has any, are stored between the two by ``devices.demographics`` (ORM,
   under the same lock).
3. When people counts (object type 0) changed: lock the business days they fall in and
   recompute those days' ``StoreDay`` rows (``analytics.storedays``): two more statements.

Only for documents of whole intervals; ``services`` uses the ORM path for replays and for
per-second counts (``Interval="0"``), which it folds into minutes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from django.db import connection

from analytics import storedays
from devices.demographics import store_demographics
from devices.models import IDENTITY_FIELDS, PROPERTY_FIELDS, Device, identity_values
from devices.xml import COUNT_ROOTS, CountRecord, DeviceDocument

# Columns that follow the newest document only (a late, older push never rolls them back).
_NEWEST = (*IDENTITY_FIELDS, "last_document_kind", *PROPERTY_FIELDS)

# Column names are this module's constants; every value is a parameter.
_DEVICE_SQL = (
    "INSERT INTO devices_device AS d (store_id, device_id, first_seen, last_seen, last_data_at, "  # noqa: S608
    + "last_refusal_reason, properties_transmit_time, "
    + ", ".join(_NEWEST)
    + ") VALUES ("
    + ", ".join(["%s"] * (7 + len(_NEWEST)))
    + ") ON CONFLICT (store_id, device_id) DO UPDATE SET last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen), "
    # Health (devices.health): GREATEST ignores NULL, so a Diags (NULL here) keeps the last data time.
    + "last_data_at = GREATEST(d.last_data_at, EXCLUDED.last_data_at), "
    + ", ".join(
        f"{name} = CASE WHEN d.properties_transmit_time IS NULL "
        f"OR EXCLUDED.properties_transmit_time >= d.properties_transmit_time THEN EXCLUDED.{name} ELSE d.{name} END"
        for name in (*_NEWEST, "properties_transmit_time")
    )
    + " RETURNING d.id, d.last_seen"
)

_COUNTS_SQL = """
WITH input AS (
    SELECT * FROM unnest(%(types)s::smallint[], %(starts)s::timestamptz[], %(intervals)s::smallint[],
                         %(enters)s::integer[], %(exits)s::integer[], %(passings)s::integer[],
                         %(returns)s::integer[], %(statuses)s::integer[])
        AS t(object_type, period_start, "interval", enters, exits, passings, returns, status)
),
old AS (
    SELECT m.object_type, m.period_start, m.enters, m.exits, m.passings, m.returns
    FROM devices_minutecount m JOIN input i ON i.object_type = m.object_type AND i.period_start = m.period_start
    WHERE m.device_id = %(device)s
),
up AS (
    INSERT INTO devices_minutecount AS m
        (device_id, object_type, period_start, "interval", enters, exits, passings, returns, status,
         transmit_time, received_at)
    SELECT %(device)s, object_type, period_start, "interval", enters, exits, passings, returns, status,
           %(transmit)s, %(seen)s
    FROM input
    ON CONFLICT (device_id, object_type, period_start) DO UPDATE SET
        "interval" = EXCLUDED."interval", enters = EXCLUDED.enters, exits = EXCLUDED.exits,
        passings = EXCLUDED.passings, returns = EXCLUDED.returns, status = EXCLUDED.status,
        transmit_time = EXCLUDED.transmit_time, received_at = EXCLUDED.received_at, seconds = NULL
    WHERE m.transmit_time <= EXCLUDED.transmit_time
    RETURNING m.object_type, m.period_start, m.enters, m.exits, m.passings, m.returns
),
deltas AS (
    SELECT up.object_type, date_trunc('hour', up.period_start) AS hour,
           sum(up.enters - coalesce(old.enters, 0)) AS enters,
           sum(up.exits - coalesce(old.exits, 0)) AS exits,
           sum(up.passings - coalesce(old.passings, 0)) AS passings,
           sum(up.returns - coalesce(old.returns, 0)) AS returns
    FROM up LEFT JOIN old ON old.object_type = up.object_type AND old.period_start = up.period_start
    GROUP BY 1, 2
),
bumped AS (
    UPDATE devices_hourlyfootfall h SET
        enters = h.enters + deltas.enters, exits = h.exits + deltas.exits,
        passings = h.passings + deltas.passings, returns = h.returns + deltas.returns
    FROM deltas
    WHERE h.device_id = %(device)s AND h.object_type = deltas.object_type AND h.hour = deltas.hour
    RETURNING h.object_type, h.hour
),
rolled AS (
    -- New hours only (the device lock keeps anyone else from adding this device's hours meanwhile);
    -- an insert's CHECKs apply to the candidate row, so deltas are never offered as one.
    INSERT INTO devices_hourlyfootfall (store_id, device_id, object_type, hour, enters, exits, passings, returns)
    SELECT %(store)s, %(device)s, object_type, hour, enters, exits, passings, returns FROM deltas
    WHERE NOT EXISTS (SELECT 1 FROM bumped b WHERE b.object_type = deltas.object_type AND b.hour = deltas.hour)
    RETURNING 1
),
doc AS (
    INSERT INTO devices_receiveddocument
        (store_id, device_id, device_key, kind, body, size, content_type, remote_addr, received_at,
         outcome, error, records, applied)
    SELECT %(store)s, %(device)s, %(device_key)s, %(kind)s, %(body)s, %(size)s, %(content_type)s,
           %(remote_addr)s::inet, %(seen)s, 'accepted', '', %(records)s, (SELECT count(*) FROM up) + %(extra)s
    RETURNING id
)
SELECT (SELECT id FROM doc), (SELECT count(*) FROM up), (SELECT count(*) FROM bumped) + (SELECT count(*) FROM rolled)
"""


def apply_and_record(
    store_id: int, document: DeviceDocument, seen_at: datetime, stored: dict[str, Any]
) -> tuple[Device, int, int]:
    """Apply ``document`` and store it as accepted; returns (device, counts applied, document id).

    Must run inside a transaction (the device lock lasts until it commits). ``stored`` carries
    ``body``, ``size``, ``content_type`` and ``remote_addr`` of the received document.
    """
    props = document.properties
    transmit_time = props.transmit_time or seen_at
    newest = {
        **identity_values(document),
        "last_document_kind": document.kind,
        **{name: getattr(props, name) for name in PROPERTY_FIELDS},
    }
    connection.ensure_connection()
    # Server-side binding and a prepared statement (Django's cursors bind on the client, so every
    # push would be planned anew; planning this CTE cost more than running it). Same connection,
    # so the same transaction as the caller's atomic block.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            _DEVICE_SQL,
            [
                store_id,
                document.device_id,
                seen_at,
                seen_at,
                seen_at if document.kind in COUNT_ROOTS else None,
                "",
                transmit_time,
                *(newest[name] for name in _NEWEST),
            ],
            prepare=True,
        )
        device_pk, last_seen = cursor.fetchone()
        device = Device(pk=device_pk, store_id=store_id, device_id=document.device_id, last_seen=last_seen)
        # ObjectType 3 demographics (V2.1): a few ORM statements under the device lock just taken,
        # in the same transaction; their applied records join the document's ``applied``.
        extra = 0
        if document.demographics:
            extra = store_demographics(device, document.demographics, transmit_time, seen_at)
        counts = list({(c.object_type, c.period_start): c for c in document.counts}.values())  # later one wins
        cursor.execute(
            _COUNTS_SQL,
            {
                **_columns(counts),
                "device": device_pk,
                "store": store_id,
                "transmit": transmit_time,
                "seen": seen_at,
                "device_key": document.device_id,
                "kind": document.kind,
                "body": stored["body"],
                "size": stored["size"],
                "content_type": stored["content_type"],
                "remote_addr": stored["remote_addr"],
                "records": document.records,
                "extra": extra,
            },
            prepare=True,
        )
        document_pk, applied, _ = cursor.fetchone()
        # The business-day rollup (analytics.storedays): lock the days the people counts touch,
        # then recompute them in a new statement, whose snapshot includes what a concurrent push
        # of another camera of the store committed before releasing the same lock.
        hours = storedays.hours_of(c.period_start for c in counts if c.object_type == 0)
        if applied and hours:
            for sql, params in (
                storedays.lock_statement(store_id, storedays.CAMERA, hours),
                storedays.refresh_statement(store_id, storedays.CAMERA, hours),
            ):
                cursor.execute(sql, params, prepare=True)
    return device, applied + extra, document_pk


def _columns(counts: list[CountRecord]) -> dict[str, list]:
    return {
        "types": [c.object_type for c in counts],
        "starts": [c.period_start for c in counts],
        "intervals": [c.interval for c in counts],
        "enters": [c.enters for c in counts],
        "exits": [c.exits for c in counts],
        "passings": [c.passings for c in counts],
        "returns": [c.returns for c in counts],
        "statuses": [c.status for c in counts],
    }
