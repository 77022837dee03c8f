"""Monthly partitions of minute counts and kept documents: creation, DEFAULT, retention, migration."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from devices import conf
from devices.models import Device, HourlyFootfall, MinuteCount, ObjectType, ReceivedDocument
from devices.partitions import (
    DOCUMENTS,
    MINUTE_COUNTS,
    add_months,
    drop_expired,
    ensure_partitions,
    list_partitions,
    month_start,
)
from devices.retention import purge
from devices.services import ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml

TABLES = ("devices_minutecount", "devices_receiveddocument")
BEFORE, AFTER = ("devices", "0007_accept_then_apply"), ("devices", "0008_monthly_partitions")


def at(year: int, month: int, day: int = 10, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def this_month(offset: int = 0) -> datetime:
    return add_months(month_start(timezone.now()), offset)


def names(table: str) -> list[str]:
    return [p.name for p in list_partitions() if p.table == table]


def partition_of(model, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def catalog(table: str) -> dict:
    """What Django relies on: relkind, the id sequence, constraint and index names and definitions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        (relkind,) = cursor.fetchone()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('u', 'f', 'c')",
            [table],
        )
        constraints = dict(cursor.fetchall())
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
        (primary_key,) = cursor.fetchone()
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [table],
        )
        indexes = sorted(row[0] for row in cursor.fetchall())
    return {"relkind": relkind, "sequence": sequence, "constraints": constraints, "pk": primary_key, "indexes": indexes}


def device_of(store, key: str = "cam-1") -> Device:
    now = timezone.now()
    return Device.objects.create(store=store, device_id=key, first_seen=now, last_seen=now)


def minute(device: Device, period_start: datetime, enters: int = 1) -> MinuteCount:
    return MinuteCount.objects.create(
        device=device,
        object_type=ObjectType.TOTAL,
        period_start=period_start,
        interval=1,
        enters=enters,
        exits=0,
        passings=0,
        returns=0,
        transmit_time=period_start,
        received_at=period_start,
    )


def kept(store, received_at: datetime, outcome: str = "accepted") -> ReceivedDocument:
    return ReceivedDocument.objects.create(
        store=store, body=b"<Diags/>", size=8, received_at=received_at, outcome=outcome, device_key="cam-1"
    )


def recent_push(moment: datetime, enters: int = 2, later: int = 0) -> bytes:
    """A real-time push (per-second counts, ``Interval="0"``) of two seconds of the minute ``moment``
    (UTC camera clock); ``later`` seconds on its TransmitTime make it supersede an earlier push."""
    unix = int(moment.timestamp())
    counts = [count_xml(start=f"{moment:%H:%M}:{s:02d}", unix=unix + s, enters=str(enters)) for s in (10, 11)]
    report = report_xml(date=f"{moment:%Y-%m-%d}", objects=[object_xml(counts=counts)])
    return document(interval="0", transmit=unix + 60 + later, timezone="0", reports=[report])


@pytest.fixture
def standard_partitions():
    """For tests that commit: afterwards the database has exactly the partitions a fresh one has
    (this month, the next two, DEFAULT), whatever the test created or dropped."""
    yield
    standard = {t.partition(this_month(n)) for t in (MINUTE_COUNTS, DOCUMENTS) for n in range(3)}
    standard |= {MINUTE_COUNTS.default, DOCUMENTS.default}
    with connection.cursor() as cursor:
        for part in list_partitions():
            if part.name not in standard:
                cursor.execute(f"DROP TABLE {part.name}")
    ensure_partitions()


# --- after migrate ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_both_tables_are_partitioned_with_this_month_the_next_two_and_default():
    for table in TABLES:
        months = [this_month(n) for n in range(3)]
        assert names(table) == [f"{table}_p{m:%Y_%m}" for m in months] + [f"{table}_default"]
        info = catalog(table)
        assert info["relkind"] == "p"
        assert info["sequence"] == f"public.{table}_id_seq"
        assert info["pk"] == f"{table}_pkey"
    assert catalog("devices_minutecount")["constraints"]["minute_count_key"] == (
        "UNIQUE (device_id, object_type, period_start)"
    )
    documents = catalog("devices_receiveddocument")
    assert {
        "device_document_by_key",
        "device_document_pending",
        "devices_receiveddocument_received_at_4581a349",
        "devices_receiveddocument_pkey",
    } <= set(documents["indexes"])
    assert documents["constraints"]["devices_receiveddocument_store_id_10e6c871_fk_stores_store_id"] == (
        "FOREIGN KEY (store_id) REFERENCES stores_store(id) DEFERRABLE INITIALLY DEFERRED"
    )


@pytest.mark.django_db
def test_rows_of_this_month_land_in_its_partition(store_a):
    now = timezone.now()
    assert partition_of(MinuteCount, minute(device_of(store_a), now).pk) == MINUTE_COUNTS.partition(this_month())
    assert partition_of(ReceivedDocument, kept(store_a, now).pk) == DOCUMENTS.partition(this_month())


# --- DEFAULT and creating months -------------------------------------------------------------


@pytest.mark.django_db
def test_far_rows_wait_in_default_and_move_when_their_month_is_created(store_a):
    device = device_of(store_a)
    future, past = at(2031, 5), at(2019, 3)
    count, old_count = minute(device, future, enters=7), minute(device, past)
    doc = kept(store_a, future, outcome="pending")
    assert partition_of(MinuteCount, count.pk) == "devices_minutecount_default"
    assert partition_of(ReceivedDocument, doc.pk) == "devices_receiveddocument_default"

    report = ensure_partitions(now=at(2031, 4, 20))

    assert report.created == [
        "devices_minutecount_p2031_04",
        "devices_minutecount_p2031_05",
        "devices_minutecount_p2031_06",
        "devices_receiveddocument_p2031_04",
        "devices_receiveddocument_p2031_05",
        "devices_receiveddocument_p2031_06",
    ]
    assert report.moved == {"devices_minutecount_p2031_05": 1, "devices_receiveddocument_p2031_05": 1}
    assert partition_of(MinuteCount, count.pk) == "devices_minutecount_p2031_05"
    assert partition_of(ReceivedDocument, doc.pk) == "devices_receiveddocument_p2031_05"
    assert partition_of(MinuteCount, old_count.pk) == "devices_minutecount_default"  # no month made for it
    assert MinuteCount.objects.get(pk=count.pk).enters == 7
    assert ReceivedDocument.objects.get(pk=doc.pk).outcome == "pending"
    # The moved row is the one the unique key finds: an upsert updates it, no second row.
    minute(device, future + timedelta(minutes=1))
    MinuteCount.objects.bulk_create(
        [MinuteCount(**_fields(count, enters=9))],
        update_conflicts=True,
        unique_fields=["device", "object_type", "period_start"],
        update_fields=["enters"],
    )
    assert MinuteCount.objects.get(pk=count.pk).enters == 9
    assert ensure_partitions(now=at(2031, 4, 20)).created == []  # twice changes nothing


def _fields(row: MinuteCount, **changes) -> dict:
    fields = {f.attname: getattr(row, f.attname) for f in MinuteCount._meta.concrete_fields if f.attname != "id"}
    return fields | changes


# --- upsert across partitions ----------------------------------------------------------------


@pytest.mark.django_db
def test_on_conflict_upsert_across_partitions(store_a):
    device = device_of(store_a)
    starts = [this_month(0) + timedelta(hours=1), this_month(1) + timedelta(hours=1), at(2035, 1)]
    template = minute(device, starts[0])
    MinuteCount.objects.all().delete()

    def upsert(enters: int) -> None:
        rows = [MinuteCount(**_fields(template, period_start=s, enters=enters)) for s in starts]
        MinuteCount.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["device", "object_type", "period_start"],
            update_fields=["enters"],
        )

    upsert(1)
    upsert(5)
    with connection.cursor() as cursor:  # the statement the ingest writes, by its key's columns
        cursor.execute(
            "INSERT INTO devices_minutecount (device_id, object_type, period_start, interval, enters, exits, passings,"
            " returns, status, transmit_time, received_at) SELECT %s, 0, s, 1, 8, 0, 0, 0, 0, s, s FROM unnest(%s) s"
            " ON CONFLICT (device_id, object_type, period_start) DO UPDATE SET enters = EXCLUDED.enters",
            [device.pk, starts[1:]],
        )
    rows = MinuteCount.objects.order_by("period_start")
    assert [(r.period_start, r.enters) for r in rows] == [(starts[0], 5), (starts[1], 8), (starts[2], 8)]
    assert [partition_of(MinuteCount, r.pk) for r in rows] == [
        MINUTE_COUNTS.partition(this_month(0)),
        MINUTE_COUNTS.partition(this_month(1)),
        MINUTE_COUNTS.default,
    ]


@pytest.mark.django_db
def test_ingest_applies_and_supersedes_into_this_months_partition(store_a):
    moment = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    assert ingest_document(store_a, recent_push(moment, enters=2)).accepted
    assert ingest_document(store_a, recent_push(moment, enters=3, later=5)).accepted
    count = MinuteCount.objects.get()
    assert (count.period_start, count.enters) == (moment, 6)  # two seconds of 3: the later push won
    assert partition_of(MinuteCount, count.pk) == MINUTE_COUNTS.partition(month_start(moment))
    assert HourlyFootfall.objects.get().enters == 6


# --- retention -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_drop_expired_drops_exactly_the_expired_months(store_a, caplog, settings):
    settings.DEVICE_MINUTE_RETENTION_DAYS = 400  # the default (the suite's settings keep counts longer)
    # Three years on: today's three months are long expired; 36..38 months ahead are created.
    base = this_month(36)
    ensure_partitions(now=base + timedelta(days=14))
    device = device_of(store_a)
    for offset in range(3):
        minute(device, add_months(base, offset) + timedelta(hours=1))
    today_minute = minute(device, timezone.now())
    HourlyFootfall.objects.create(store=store_a, device=device, object_type=0, hour=this_month(), enters=5)
    pending = kept(store_a, base + timedelta(days=1), outcome="pending")  # not applied yet: keeps its month
    kept(store_a, add_months(base, 1) + timedelta(days=1))
    kept(store_a, timezone.now())
    # DEFAULT: old rows go row by row (pending ones stay), rows of the future stay.
    old_default = [kept(store_a, at(2019, 3)), minute(device, at(2019, 3))]
    old_pending = kept(store_a, at(2019, 3), outcome="pending")
    future_count = minute(device, add_months(base, 24))

    now = add_months(base, 2) + timedelta(days=19)  # documents: cutoff in month base+1; minutes: 400 days
    with connection.cursor() as cursor:  # as if committed: no FK check left pending on the partitions
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with caplog.at_level(logging.WARNING, logger="devices.partitions"):
        report = drop_expired(now=now)

    today = [this_month(n) for n in range(3)]
    assert sorted(report.dropped) == sorted(
        [MINUTE_COUNTS.partition(m) for m in today] + [DOCUMENTS.partition(m) for m in today]
    )
    assert report.kept_pending == [DOCUMENTS.partition(base)]
    assert "holds 1 pending documents" in caplog.text
    assert report.default_deleted == {"devices_minutecount_default": 1, "devices_receiveddocument_default": 1}
    assert names("devices_minutecount") == [MINUTE_COUNTS.partition(add_months(base, n)) for n in range(3)] + [
        MINUTE_COUNTS.default
    ]
    assert names("devices_receiveddocument") == [DOCUMENTS.partition(add_months(base, n)) for n in range(3)] + [
        DOCUMENTS.default
    ]
    assert not MinuteCount.objects.filter(pk=today_minute.pk).exists()
    assert MinuteCount.objects.count() == 4  # base .. base+2, and the one 24 months ahead
    assert MinuteCount.objects.filter(pk=future_count.pk).exists()
    assert set(ReceivedDocument.objects.values_list("pk", flat=True)) == {
        pending.pk,
        old_pending.pk,
        ReceivedDocument.objects.get(received_at=add_months(base, 1) + timedelta(days=1)).pk,
    }
    assert not any(type(row).objects.filter(pk=row.pk).exists() for row in old_default)
    # The hourly rollup is for good: retention never touches it.
    assert HourlyFootfall.objects.get().enters == 5
    assert drop_expired(now=now).dropped == []  # twice changes nothing

    # Applied at last: the month goes on the next run.
    ReceivedDocument.objects.filter(pk=pending.pk).update(outcome="accepted")
    assert drop_expired(now=now).dropped == [DOCUMENTS.partition(base)]


@pytest.mark.django_db
def test_retention_settings_move_the_cutoff(store_a, settings):
    del settings.DEVICE_MINUTE_RETENTION_DAYS  # the suite's settings may set it: the default is 400
    assert conf.minute_retention_days() == 400
    settings.DEVICE_MINUTE_RETENTION_DAYS = 30
    settings.DEVICE_DOCUMENT_RETENTION_DAYS = 400
    report = drop_expired(now=add_months(this_month(), 4))
    assert report.dropped == [MINUTE_COUNTS.partition(this_month(n)) for n in range(3)]


@pytest.mark.django_db
def test_purge_creates_then_drops_and_reports(store_a):
    report = purge(now=add_months(this_month(), 4) + timedelta(days=5))
    assert report["created"] == [
        table.partition(add_months(this_month(), n)) for table in (MINUTE_COUNTS, DOCUMENTS) for n in range(4, 7)
    ]
    # Documents: the three of today (30 days); minute counts: none (400 days).
    assert report["dropped"] == [DOCUMENTS.partition(this_month(n)) for n in range(3)]
    assert report["kept_pending"] == [] and report["skipped"] == [] and report["moved"] == {}


@pytest.mark.django_db
def test_purge_command_prints_what_it_did(store_a):
    import json
    from io import StringIO

    out = StringIO()
    call_command("purge_xml_documents", "--days", "2", stdout=out)
    assert json.loads(out.getvalue()) == {
        "created": [],
        "default_deleted": {},
        "dropped": [],
        "kept_pending": [],
        "moved": {},
        "skipped": [],
    }
    out = StringIO()
    call_command("device_partitions", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["partition", "from", "to"]
    assert [line.split()[0] for line in lines[1:]] == names("devices_minutecount") + names("devices_receiveddocument")


# --- test database flush and the migration ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_flush_empties_partitions_and_restarts_ids(store_a):
    device = device_of(store_a)
    rows = [minute(device, timezone.now()), minute(device, at(2040, 1))]
    with connection.cursor() as cursor:  # loaddata's sequence reset finds the owned sequence
        for statement in connection.ops.sequence_reset_sql(no_style(), [MinuteCount, ReceivedDocument]):
            cursor.execute(statement)
    assert minute(device, at(2041, 1)).pk == rows[-1].pk + 1

    call_command("flush", interactive=False, verbosity=0)  # what TransactionTestCase runs after a test

    assert not MinuteCount.objects.exists()
    assert names("devices_minutecount")[:3] == [MINUTE_COUNTS.partition(this_month(n)) for n in range(3)]
    device = device_of(_store())
    assert minute(device, timezone.now()).pk == 1


def _store():
    from tests.factories import StoreFactory, TenantFactory

    return StoreFactory(tenant=TenantFactory(name="Flush"), code="flush")


@pytest.mark.django_db(transaction=True)
def test_migration_converts_populated_tables_and_back(store_a, standard_partitions):
    executor = MigrationExecutor(connection)
    before = {table: catalog(table) for table in TABLES}
    executor.migrate([BEFORE])
    try:
        assert {table: catalog(table)["relkind"] for table in TABLES} == dict.fromkeys(TABLES, "r")
        old_apps = executor.loader.project_state([BEFORE]).apps
        counts, documents = _populate(old_apps, store_a.pk)

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])

        assert {table: catalog(table) for table in TABLES} == before  # names, keys, FKs, sequence
        assert _rows(MinuteCount) == counts
        assert _rows(ReceivedDocument) == documents
        months = {this_month(n) for n in range(3)} | {at(2026, 1), at(2025, 7)}
        assert set(names("devices_minutecount")) == {MINUTE_COUNTS.partition(month_start(m)) for m in months} | {
            MINUTE_COUNTS.default
        }
        assert partition_of(MinuteCount, counts[-1][0]) == MINUTE_COUNTS.default  # 2040: past the window
        # ids continue past the old sequence (a deleted row's id is never handed out again).
        assert (
            ReceivedDocument.objects.create(
                store=store_a, body=b"", size=0, received_at=timezone.now(), outcome="accepted"
            ).pk
            == documents[-1][0] + 2
        )
        moment = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=3)
        assert ingest_document(store_a, recent_push(moment, enters=4)).accepted
        assert ingest_document(store_a, recent_push(moment, enters=5, later=5)).accepted
        assert MinuteCount.objects.filter(device__device_id="cam-1").get().enters == 10

        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])  # and back: plain tables, identity ids, every row still there
        assert {table: catalog(table)["relkind"] for table in TABLES} == dict.fromkeys(TABLES, "r")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM devices_minutecount")
            assert cursor.fetchone()[0] == len(counts) + 1
            cursor.execute(
                "SELECT attidentity FROM pg_attribute WHERE attrelid = 'devices_receiveddocument'::regclass "
                "AND attname = 'id'"
            )
            assert cursor.fetchone()[0] == "d"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert catalog("devices_minutecount") == before["devices_minutecount"]


def _populate(apps, store_id: int) -> tuple[list, list]:
    """Rows in the 0007 tables through the historical models: months before, now, and far ahead."""
    device_model = apps.get_model("devices", "Device")
    count_model = apps.get_model("devices", "MinuteCount")
    document_model = apps.get_model("devices", "ReceivedDocument")
    now = timezone.now()
    device = device_model.objects.create(store_id=store_id, device_id="old-cam", first_seen=now, last_seen=now)
    moments = [at(2025, 7), at(2026, 1), now.replace(microsecond=0), at(2040, 1)]
    for i, moment in enumerate(moments):
        count_model.objects.create(
            device=device,
            object_type=0,
            period_start=moment,
            interval=1,
            enters=i,
            exits=0,
            passings=0,
            returns=0,
            transmit_time=moment,
            received_at=moment,
        )
    for moment in [*moments, now]:
        document_model.objects.create(
            store_id=store_id, body=b"x", size=1, received_at=moment, outcome="accepted", device_key="old-cam"
        )
    document_model.objects.order_by("-pk").first().delete()  # the sequence is past max(id)
    return _rows(count_model), _rows(document_model)


def _rows(model) -> list[tuple]:
    """Every column but the bodies, in name order (a historical model orders its fields otherwise)."""
    fields = sorted(f.attname for f in model._meta.concrete_fields if f.attname not in {"body", "seconds"})
    fields.remove("id")
    return [tuple(row) for row in model.objects.order_by("pk").values_list("id", *fields)]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_take_turns(standard_partitions, settings):
    """Two beat-less runs at the same moment (a manual purge during the daily one): each month is
    created once and dropped once, neither run fails."""
    import threading

    settings.DEVICE_MINUTE_RETENTION_DAYS = 400  # the default (the suite's settings keep counts longer)
    future = add_months(this_month(), 40)
    reports: list[dict] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(purge(now=future))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    created = sorted(name for report in reports for name in report["created"])
    dropped = sorted(name for report in reports for name in report["dropped"])
    assert created == sorted(t.partition(add_months(future, n)) for t in (MINUTE_COUNTS, DOCUMENTS) for n in range(3))
    assert dropped == sorted(t.partition(this_month(n)) for t in (MINUTE_COUNTS, DOCUMENTS) for n in range(3))
