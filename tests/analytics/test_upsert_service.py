"""analytics.services.upsert: one ``INSERT … ON CONFLICT … RETURNING`` statement per record.

The record handed back is the row as stored (fields absent from this push keep their earlier
values), and ``created`` tells a new hour from an updated one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from analytics.models import HourlyCustomers
from analytics.services import upsert, upsert_customers

HOUR = datetime(2026, 2, 16, 14, tzinfo=UTC)


def test_insert_then_merge_returns_the_stored_row(store_a):
    with transaction.atomic():
        first = upsert_customers(store_a, {"timestamp": HOUR, "camera_id": "kapi-1", "entered": 10, "exited": 8})
    assert first.created is True
    assert (first.record.entered, first.record.exited, first.record.male_count) == (10, 8, None)
    with transaction.atomic():
        second = upsert_customers(store_a, {"timestamp": HOUR, "camera_id": "kapi-1", "male_count": 5})
    assert second.created is False
    assert second.record.pk == first.record.pk
    assert (second.record.entered, second.record.exited, second.record.male_count) == (10, 8, 5)
    assert second.record.store_id == store_a.pk and second.record.hour == HOUR
    stored = HourlyCustomers.objects.get()
    assert (stored.entered, stored.exited, stored.male_count) == (10, 8, 5)
    assert stored.updated_at >= first.record.updated_at


def test_one_round_trip_per_record(store_a):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        upsert(HourlyCustomers, {"store": store_a, "camera_id": "", "hour": HOUR}, {"entered": 1})
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1 and "ON CONFLICT" in statements[0]
    assert HourlyCustomers.objects.get().entered == 1
