"""Received documents: retention (command, task, schedule; the partitions: test_partitions.py), replay_xml."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from devices import conf
from devices.models import Device, MinuteCount, ReceivedDocument
from devices.retention import purge
from devices.services import ingest_document
from tests.devices.conftest import sample


def aged(store, days: float, body: bytes = b"<Diags DeviceId='x'/>") -> ReceivedDocument:
    result = ingest_document(store, body, received_at=timezone.now() - timedelta(days=days))
    return ReceivedDocument.objects.get(pk=result.document_id)


def test_retention_default_and_setting(settings):
    assert conf.document_retention_days() == 30
    settings.DEVICE_DOCUMENT_RETENTION_DAYS = 7
    assert conf.document_retention_days() == 7


def test_retention_from_environment(monkeypatch):
    monkeypatch.setenv("DEVICE_DOCUMENT_RETENTION_DAYS", "12")
    assert conf.document_retention_days() == 12


def test_bad_retention_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DEVICE_DOCUMENT_RETENTION_DAYS = "forever"
    with pytest.raises(ImproperlyConfigured):
        conf.document_retention_days()


def kept(store, days: float) -> ReceivedDocument:
    received = timezone.now() - timedelta(days=days)
    return ReceivedDocument.objects.create(store=store, body=b"", size=0, received_at=received, outcome="accepted")


def test_purge_deletes_old_documents_of_default_and_keeps_the_counts(store_a):
    # A document received before its month had a partition waits in DEFAULT; past retention it goes
    # there row by row (whole months of the monthly partitions are dropped: test_partitions.py).
    old, young = kept(store_a, 400), kept(store_a, 1)
    device = Device.objects.create(
        store=store_a, device_id="d", first_seen=old.received_at, last_seen=young.received_at
    )
    MinuteCount.objects.create(
        device=device,
        object_type=0,
        period_start=young.received_at,
        interval=1,
        enters=1,
        exits=0,
        passings=0,
        returns=0,
        transmit_time=young.received_at,
        received_at=young.received_at,
    )
    assert purge()["default_deleted"] == {"devices_receiveddocument_default": 1}
    assert list(ReceivedDocument.objects.values_list("pk", flat=True)) == [young.pk]
    assert MinuteCount.objects.count() == 1


def test_purge_command_refuses_a_bad_days():
    with pytest.raises(CommandError):
        call_command("purge_xml_documents", "--days", "0")


def test_purge_task_and_schedule(store_a):
    from celery.schedules import crontab

    from devices.tasks import PURGE_SCHEDULE_NAME
    from devices.tasks import purge_documents as task
    from vislivis.celery import app

    kept(store_a, 400)
    assert task.delay().get()["default_deleted"] == {"devices_receiveddocument_default": 1}
    assert not ReceivedDocument.objects.exists()
    assert app.conf.beat_schedule[PURGE_SCHEDULE_NAME]["task"] == "devices.purge_documents"
    assert str(app.conf.beat_schedule[PURGE_SCHEDULE_NAME]["schedule"]) == str(crontab(hour=3, minute=17))


def replay(*args: str) -> list[dict]:
    out = StringIO()
    call_command("replay_xml", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_replay_applies_a_previously_rejected_document(store_a):
    # Simulate a document refused by an older parser: stored as rejected, nothing applied.
    received = datetime(2024, 5, 1, 12, tzinfo=UTC)
    doc = ReceivedDocument.objects.create(
        store=store_a,
        device_key="12345",
        body=sample("metrics"),
        size=len(sample("metrics")),
        received_at=received,
        outcome="rejected",
        error="ReportData: parser bug",
    )
    lines = replay("--device", "12345", "--since", "2024-05-01")
    assert lines == [
        {
            "id": doc.pk,
            "received_at": received.isoformat(),
            "was": "rejected",
            "now": "accepted",
            "records": 3,
            "applied": 3,
        },
        {"documents": 1, "accepted": 1, "rejected": 0},
    ]
    doc.refresh_from_db()
    assert (doc.outcome, doc.error, doc.kind, doc.records, doc.device.device_id) == (
        "accepted",
        "",
        "Metrics",
        3,
        "12345",
    )
    assert doc.replayed_at is not None
    device = Device.objects.get()
    assert device.last_seen == received  # the original receive time, not the replay time
    assert MinuteCount.objects.count() == 3


def test_replay_twice_changes_nothing(store_a):
    ingest_document(store_a, sample("metrics"))
    before = list(MinuteCount.objects.values_list("object_type", "enters", "exits", "transmit_time"))
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert replay("--device", "12345", "--since", since)[-1] == {"documents": 1, "accepted": 1, "rejected": 0}
    assert replay("--device", "12345", "--since", since)[0]["records"] == 3
    assert list(MinuteCount.objects.values_list("object_type", "enters", "exits", "transmit_time")) == before


def test_replay_filters_and_dry_run(store_a):
    ingest_document(store_a, sample("metrics"), received_at=datetime(2024, 5, 1, tzinfo=UTC))
    ingest_document(store_a, sample("rtmetrics"), received_at=datetime(2024, 5, 3, tzinfo=UTC))
    ingest_document(store_a, sample("diags"), received_at=datetime(2024, 5, 3, tzinfo=UTC))
    lines = replay("--device", "12345", "--since", "2024-05-02", "--dry-run")
    assert [line.get("was") for line in lines] == ["accepted", None]
    assert lines[-1] == {"documents": 1, "accepted": 0, "rejected": 0}
    assert replay("--device", "12345", "--since", "2024-04-01", "--until", "2024-05-02")[-1]["documents"] == 1
    assert replay("--device", "12345", "--since", "2024-04-01", "--only-rejected")[-1]["documents"] == 0


def test_replay_still_rejects_a_bad_document(store_a):
    ingest_document(store_a, b"<Metrics DeviceId='cam-9'><x", received_at=datetime(2024, 5, 1, tzinfo=UTC))
    lines = replay("--device", "cam-9", "--since", "2024-05-01")
    assert lines[0]["now"] == "rejected" and lines[0]["error"] == "body: Malformed XML (line 1)."
    assert not Device.objects.exists()


def test_replay_needs_store_when_device_id_is_ambiguous(store_a, store_b):
    ingest_document(store_a, sample("diags"), received_at=datetime(2024, 5, 1, tzinfo=UTC))
    ingest_document(store_b, sample("diags"), received_at=datetime(2024, 5, 1, tzinfo=UTC))
    with pytest.raises(CommandError, match="name one with --store"):
        replay("--device", "Device ID", "--since", "2024-05-01")
    assert replay("--device", "Device ID", "--since", "2024-05-01", "--store", str(store_b.pk))[-1]["documents"] == 1


def test_replay_rejects_a_bad_since():
    with pytest.raises(CommandError, match="--since"):
        replay("--device", "x", "--since", "yesterday")
