"""devices.services: the hourly rollup stays the exact sum of the interval counts, and query budget."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devices.models import Device, HourlyFootfall, MinuteCount, ReceivedDocument
from devices.services import MEASURES, ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample

BASE = 1667800800  # 2022-11-07 06:00:00 UTC


def random_document(rng: random.Random, transmit: int) -> bytes:
    objects = []
    for object_type in rng.sample(["0", "1", "2"], rng.randint(1, 3)):
        minutes = rng.sample(range(180), rng.randint(1, 6))  # spread over three hours
        objects.append(
            object_xml(
                object_type,
                [
                    count_xml(
                        unix=BASE + 60 * m,
                        enters=str(rng.randint(0, 9)),
                        exits=str(rng.randint(0, 9)),
                        passings=str(rng.randint(0, 3)),
                        returns=str(rng.randint(0, 2)),
                    )
                    for m in minutes
                ],
            )
        )
    return document(transmit=transmit, reports=[report_xml(objects=objects)])


def test_rollup_equals_sum_of_minutes_after_random_pushes_in_any_order(store_a):
    rng = random.Random(20221107)
    for _ in range(60):
        body = random_document(rng, transmit=BASE + rng.randint(0, 400))  # late, equal and newer pushes mixed
        assert ingest_document(store_a, body).accepted
    device = Device.objects.get()
    minute_sums: dict[tuple, tuple] = {}
    for row in MinuteCount.objects.filter(device=device):
        key = (row.object_type, row.period_start.replace(minute=0))
        previous = minute_sums.get(key, (0, 0, 0, 0))
        minute_sums[key] = tuple(p + getattr(row, m) for p, m in zip(previous, MEASURES, strict=True))
    rollups = {
        (row.object_type, row.hour): tuple(getattr(row, m) for m in MEASURES) for row in HourlyFootfall.objects.all()
    }
    assert rollups == minute_sums
    assert len(rollups) >= 6


def test_one_document_is_a_fixed_number_of_queries_whatever_its_size(store_a):
    ingest_document(store_a, sample("diags"))  # register the device first
    sizes = {}
    for n in (1, 60):
        body = document(
            device_id="Device ID",
            transmit=1667806920 + n,
            reports=[report_xml(objects=[object_xml("0", [count_xml(unix=BASE + 60 * m) for m in range(n)])])],
        )
        with CaptureQueriesContext(connection) as queries:
            assert ingest_document(store_a, body).applied == n
        sizes[n] = len(queries)
    assert sizes[1] == sizes[60]
    assert sizes[60] <= 10


def test_unparseable_document_is_kept_with_its_reason(store_a):
    result = ingest_document(store_a, b"<Diags", remote_addr="10.1.2.3", content_type="text/xml")
    assert (result.accepted, result.field, result.error) == (False, "body", "Malformed XML (line 1).")
    doc = ReceivedDocument.objects.get()
    assert (doc.outcome, doc.error, doc.remote_addr, doc.content_type, doc.raw_body()) == (
        "rejected",
        "body: Malformed XML (line 1).",
        "10.1.2.3",
        "text/xml",
        b"<Diags",
    )
    assert not Device.objects.exists()


def test_last_seen_is_the_receive_time_and_never_goes_back(store_a):
    now = timezone.now()
    ingest_document(store_a, sample("diags"), received_at=now)
    ingest_document(store_a, sample("diags"), received_at=now - timedelta(minutes=5))
    device = Device.objects.get()
    assert (device.first_seen, device.last_seen) == (now, now)


def test_new_device_first_seen(store_a):
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    ingest_document(store_a, sample("metrics"), received_at=moment)
    assert Device.objects.get().first_seen == moment
