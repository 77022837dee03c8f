"""The accept/apply split (issue 17): a push is kept with one write and answered; the applier
applies pending documents in batches, several appliers never take the same one, and an applier
killed with SIGKILL mid-batch loses and doubles nothing.

These tests turn the suite's inline mode off (``DEVICES_APPLY_INLINE``) so what they see is what
a deployment does: nothing applied until an applier runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from devices import applier
from devices.models import Device, HourlyFootfall, MinuteCount, Outcome, ReceivedDocument
from devices.services import ingest_document
from stores.models import Store, Tenant
from tests.devices.conftest import count_xml, document, object_xml, report_xml

REPO = Path(__file__).resolve().parents[2]
MINUTE0 = 1667806020  # 2022-11-07 07:27 UTC


@pytest.fixture
def deferred(settings):
    settings.DEVICES_APPLY_INLINE = False


def rt_push(device: str, minute: int, running_total: int, transmit: int) -> bytes:
    """An RTMetrics push: the running total of one minute so far (object type 0 only)."""
    start = MINUTE0 + 60 * minute
    return document(
        root="RTMetrics",
        device_id=device,
        transmit=transmit,
        reports=[report_xml(objects=[object_xml("0", [count_xml(unix=start, enters=str(running_total), exits="0")])])],
    )


def totals(store) -> tuple[int, int]:
    minutes = MinuteCount.objects.filter(device__store=store, object_type=0).aggregate(s=Sum("enters"))["s"] or 0
    hours = HourlyFootfall.objects.filter(store=store, object_type=0).aggregate(s=Sum("enters"))["s"] or 0
    return minutes, hours


@pytest.mark.django_db
def test_a_push_is_kept_pending_and_answered_then_applied_by_the_applier(deferred, post_xml, store_a):
    response = post_xml(store_a, rt_push("cam-1", 0, 3, MINUTE0 + 10))
    assert (response.status_code, response.json()) == (200, {"code": "0", "message": "success", "records": 1})
    kept = ReceivedDocument.objects.get()
    assert (kept.outcome, kept.applied_at, kept.device, kept.body_encoding) == ("pending", None, None, "zlib-v1")
    assert len(kept.body) < kept.size / 4  # compressed with the vendor dictionary
    assert not Device.objects.exists() and not MinuteCount.objects.exists() and not HourlyFootfall.objects.exists()
    assert applier.backlog().pending == 1

    assert applier.apply_batch() == 1
    kept.refresh_from_db()
    device = Device.objects.get()
    assert (kept.outcome, kept.applied, kept.device, kept.applied_at is not None) == ("accepted", 1, device, True)
    assert totals(store_a) == (3, 3)
    assert applier.backlog().pending == 0 and applier.apply_batch() == 0


@pytest.mark.django_db
def test_a_refusal_stays_synchronous_and_is_never_queued(deferred, post_xml, store_a):
    response = post_xml(store_a, b"<Metrics DeviceId='x'><Properties>")
    assert response.status_code == 400 and response.json()["code"] == "1"
    assert ReceivedDocument.objects.get().outcome == "rejected"
    assert applier.backlog().pending == 0


@pytest.mark.django_db
def test_a_batch_of_supersedes_keeps_the_newest_running_total_and_the_hour_exact(deferred, store_a):
    """17 pushes of one minute, then the next minute's, arriving in one batch (shuffled receive
    order must not matter: the latest TransmitTime wins)."""
    pushes = [rt_push("cam-1", 0, total, MINUTE0 + total) for total in range(1, 18)]
    pushes += [rt_push("cam-1", 1, total, MINUTE0 + 60 + total) for total in range(1, 6)]
    pushes.insert(3, pushes.pop())  # a later push received early
    now = timezone.now()
    for index, body in enumerate(pushes):
        ingest_document(store_a, body, received_at=now + timedelta(milliseconds=index))
    assert applier.apply_batch() == len(pushes)
    assert sorted(MinuteCount.objects.values_list("enters", flat=True)) == [5, 17]
    assert totals(store_a) == (22, 22)
    docs = ReceivedDocument.objects.all()
    assert {d.outcome for d in docs} == {"accepted"} and all(d.applied == 1 for d in docs)
    # The same pushes once more, one per batch, change nothing (the supersede rule is idempotent).
    for body in pushes:
        ingest_document(store_a, body, received_at=now + timedelta(seconds=5))
        applier.apply_batch(1)
    assert totals(store_a) == (22, 22)


@pytest.mark.django_db
def test_batches_span_stores_and_devices_and_tell_the_business_day_rollup(deferred, store_a, store_b):
    from analytics.models import StoreDay

    for store in (store_a, store_b):
        for device in ("cam-1", "cam-2"):
            ingest_document(store, rt_push(device, 0, 4, MINUTE0 + 5))
    assert applier.apply_batch() == 4
    assert totals(store_a) == (8, 8) and totals(store_b) == (8, 8)
    days = StoreDay.objects.filter(source="camera").order_by("store_id")
    assert [(d.store_id, d.footfall) for d in days] == sorted([(store_a.pk, 8), (store_b.pk, 8)])


@pytest.mark.django_db(transaction=True)
def test_a_failing_document_is_marked_rejected_and_does_not_block_the_queue(deferred):
    tenant = Tenant.objects.create(name="Poison brand")
    store = Store.objects.create(tenant=tenant, code="p-1", name="Poison", timezone="Europe/Istanbul")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
            "IF NEW.enters = 999983 THEN RAISE EXCEPTION 'poisoned count'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON devices_minutecount "
            "FOR EACH ROW EXECUTE FUNCTION poison()"
        )
    try:
        ids = [
            ingest_document(store, rt_push("cam-1", 0, 2, MINUTE0 + 1)).document_id,
            ingest_document(store, rt_push("cam-2", 0, 999983, MINUTE0 + 1)).document_id,
            ingest_document(store, rt_push("cam-3", 0, 5, MINUTE0 + 1)).document_id,
        ]
        assert applier.apply_batch() == 3
        outcomes = dict(ReceivedDocument.objects.filter(pk__in=ids).values_list("pk", "outcome"))
        assert outcomes == {ids[0]: "accepted", ids[1]: "rejected", ids[2]: "accepted"}
        assert ReceivedDocument.objects.get(pk=ids[1]).error.startswith("apply: poisoned count")
        assert totals(store) == (7, 7)
        assert applier.backlog().pending == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS poison ON devices_minutecount")
            cursor.execute("DROP FUNCTION IF EXISTS poison()")


def _load_pending(store, devices: int, minutes: int, pushes_per_minute: int) -> int:
    """RTMetrics streams of ``devices`` cameras; returns the expected footfall (the last running
    total of every minute of every camera)."""
    now = timezone.now()
    expected = 0
    for device in range(devices):
        for minute in range(minutes):
            for push in range(1, pushes_per_minute + 1):
                total = push + device
                ingest_document(
                    store,
                    rt_push(f"cam-{device}", minute, total, MINUTE0 + 60 * minute + push),
                    received_at=now + timedelta(microseconds=device * 10_000 + minute * 100 + push),
                )
            expected += pushes_per_minute + device
    return expected


@pytest.mark.django_db(transaction=True)
def test_two_appliers_at_once_never_take_the_same_document(deferred):
    tenant = Tenant.objects.create(name="Concurrent brand")
    store = Store.objects.create(tenant=tenant, code="c-1", name="Concurrent", timezone="Europe/Istanbul")
    expected = _load_pending(store, devices=6, minutes=5, pushes_per_minute=8)
    taken: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            while count := applier.apply_batch(7):
                taken.append(count)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(taken) == 6 * 5 * 8  # every document taken exactly once between the two
    assert totals(store) == (expected, expected)
    assert not ReceivedDocument.objects.filter(outcome=Outcome.PENDING).exists()
    assert not ReceivedDocument.objects.filter(applied_at__isnull=True).exists()


def _applier_process(*args: str) -> subprocess.Popen:
    """``manage.py apply_documents`` against this test's database, as a deployment runs it."""
    db = django_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.test",
        "DEVICES_APPLY_INLINE": "",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "apply_documents", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _applier_backend_in_transaction() -> bool:
    """Whether another session of this database holds a transaction id (it has locked rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


def _heavy_document(device: str, minutes: int, enters: int) -> bytes:
    """One Metrics document with ``minutes`` counts: a batch of these takes seconds to apply."""
    counts = [count_xml(unix=MINUTE0 + 60 * m, enters=str(enters), exits="0") for m in range(minutes)]
    return document(
        device_id=device, transmit=MINUTE0 + 60 * minutes, reports=[report_xml(objects=[object_xml("0", counts)])]
    )


@pytest.mark.django_db(transaction=True)
def test_an_applier_killed_mid_batch_loses_and_doubles_nothing(deferred):
    tenant = Tenant.objects.create(name="Killed brand")
    store = Store.objects.create(tenant=tenant, code="k-1", name="Killed", timezone="Europe/Istanbul")
    documents = 60
    for index in range(documents):
        ingest_document(store, _heavy_document(f"cam-{index}", minutes=1000, enters=1))
    expected = documents * 1000
    process = _applier_process("--batch", "1000", "--idle-seconds", "0.05")
    try:
        deadline = time.monotonic() + 60
        while not _applier_backend_in_transaction():
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the applier never started a batch"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    # The killed batch rolled back with its connection: nothing applied, nothing lost.
    deadline = time.monotonic() + 10
    while _applier_backend_in_transaction() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert applier.backlog().pending == documents
    assert not MinuteCount.objects.exists() and not Device.objects.exists()
    # The next applier takes them all again; every count exactly once.
    assert applier.drain() == documents
    assert totals(store) == (expected, expected)


@pytest.mark.django_db(transaction=True)
def test_an_applier_killed_between_batches_resumes_without_doubling(deferred):
    tenant = Tenant.objects.create(name="Resumed brand")
    store = Store.objects.create(tenant=tenant, code="r-1", name="Resumed", timezone="Europe/Istanbul")
    expected = _load_pending(store, devices=4, minutes=10, pushes_per_minute=10)
    process = _applier_process("--batch", "3", "--idle-seconds", "0.05")
    try:
        deadline = time.monotonic() + 60
        while ReceivedDocument.objects.filter(outcome=Outcome.ACCEPTED).count() < 30:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the applier applied nothing"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    applier.drain()
    assert totals(store) == (expected, expected)
    assert ReceivedDocument.objects.filter(outcome=Outcome.ACCEPTED).count() == 400


@pytest.mark.django_db(transaction=True)
def test_the_applier_process_applies_what_arrives_and_stops_on_sigterm(deferred):
    tenant = Tenant.objects.create(name="Live brand")
    store = Store.objects.create(tenant=tenant, code="l-1", name="Live", timezone="Europe/Istanbul")
    process = _applier_process("--idle-seconds", "0.05")
    try:
        ingest_document(store, rt_push("cam-1", 0, 9, MINUTE0 + 9))
        deadline = time.monotonic() + 30
        while totals(store) != (9, 9):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the push was never applied"
            time.sleep(0.02)
        kept = ReceivedDocument.objects.get()
        assert kept.applied_at - kept.received_at < timedelta(seconds=30)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.django_db
def test_backlog_reports_the_oldest_pending_documents_age(deferred, store_a):
    assert (applier.backlog().pending, applier.backlog().lag_seconds()) == (0, 0.0)
    received = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    ingest_document(store_a, rt_push("cam-1", 0, 1, MINUTE0 + 1), received_at=received)
    ingest_document(store_a, rt_push("cam-1", 0, 2, MINUTE0 + 2), received_at=received + timedelta(seconds=3))
    state = applier.backlog()
    assert (state.pending, state.oldest_received_at) == (2, received)
    assert state.lag_seconds(received + timedelta(seconds=5)) == 5.0


@pytest.mark.django_db
def test_counts_older_than_the_minute_retention_are_kept_but_not_applied(deferred, settings, store_a, caplog):
    settings.DEVICE_MINUTE_RETENTION_DAYS = 30
    now = timezone.now()
    old_minute = int((now - timedelta(days=31)).timestamp()) // 60 * 60
    new_minute = int((now - timedelta(days=1)).timestamp()) // 60 * 60
    counts = [count_xml(unix=old_minute, enters="4", exits="0"), count_xml(unix=new_minute, enters="6", exits="0")]
    body = document(device_id="late", transmit=new_minute + 30, reports=[report_xml(objects=[object_xml("0", counts)])])
    document_id = ingest_document(store_a, body).document_id
    assert applier.apply_batch() == 1
    kept = ReceivedDocument.objects.get(pk=document_id)
    assert (kept.outcome, kept.records, kept.applied) == ("accepted", 2, 1)
    assert totals(store_a) == (6, 6)
    assert "before the minute retention" in caplog.text
