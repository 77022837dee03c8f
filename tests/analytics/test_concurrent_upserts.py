"""Several store PCs (or a retrying sender) pushing the same hour at once: one row, no 500."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from analytics.models import HourlyCustomers, HourlyZoneHeatmap
from stores.models import Zone
from tests.conftest import basic_auth_header


def post_concurrently(url: str, payloads: list[dict]) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(len(payloads))

    def worker(payload: dict) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth_header("boyner"))
        barrier.wait()
        try:
            statuses.append(client.post(url, payload, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_same_hour_from_parallel_requests_is_one_row(sender_a):
    payloads = [{"entered": 5, "camera_id": "kapi-1", "timestamp": "2026-02-16T14:00"}] * 3 + [
        {"male_count": 2, "camera_id": "kapi-1", "timestamp": "2026-02-16T14:00"}
    ]
    statuses = post_concurrently("/api/analytics/customers", payloads)
    assert sorted(statuses) in ([200, 200, 200, 201],)
    row = HourlyCustomers.objects.get()
    assert (row.entered, row.male_count) == (5, 2)


@pytest.mark.django_db(transaction=True)
def test_new_zone_from_parallel_requests_is_created_once(sender_a):
    payload = {"zone": "vitrin", "visitor_count": 3, "intensity": 12.5, "timestamp": "2026-02-16T14:00"}
    statuses = post_concurrently("/api/analytics/heatmaps", [payload] * 4)
    assert sorted(statuses) == [200, 200, 200, 201]
    assert Zone.objects.count() == 1
    assert HourlyZoneHeatmap.objects.count() == 1
