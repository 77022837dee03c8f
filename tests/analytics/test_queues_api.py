"""POST /api/analytics/queues: checkout rows per hour, unknown cashiers created."""

from __future__ import annotations

import pytest

from analytics.models import HourlyQueue
from stores.models import Cashier

URL = "/api/analytics/queues"
SEED = {"cashier_id": "Kasa-2", "total_customers": 14, "wait_time": 44.5, "timestamp": "2026-02-16T14:00"}


def test_seed_payload(api, sender_a, store_a):
    response = api(sender_a).post(URL, SEED, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["cashier_id"], body["total_customers"], body["wait_time"], body["timestamp"]) == (
        "Kasa-2",
        14,
        44.5,
        "2026-02-16T14:00:00Z",
    )
    assert Cashier.objects.get().store == store_a


def test_four_cashiers_then_resend(api, sender_a):
    client = api(sender_a)
    batch = [{**SEED, "cashier_id": f"Kasa-{n}", "total_customers": 12, "wait_time": 38.0} for n in range(1, 5)]
    assert client.post(URL, batch, format="json").status_code == 201
    assert client.post(URL, batch, format="json").status_code == 200
    assert HourlyQueue.objects.count() == 4
    assert Cashier.objects.count() == 4


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in SEED.items() if k != "cashier_id"}, "cashier_id"),
        ({k: v for k, v in SEED.items() if k != "total_customers"}, "total_customers"),
        ({k: v for k, v in SEED.items() if k != "wait_time"}, "wait_time"),
        ({**SEED, "total_customers": -2}, "total_customers"),
        ({**SEED, "wait_time": -1}, "wait_time"),
        ({**SEED, "wait_time": None}, "wait_time"),
        ({**SEED, "cashier": "Kasa-1"}, "cashier"),
    ],
)
def test_invalid_queues_are_400(api, sender_a, payload, field):
    response = api(sender_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not HourlyQueue.objects.exists()
    assert not Cashier.objects.exists()


def test_other_tenant_404(api, sender_b, store_a):
    assert api(sender_b).post(URL, {**SEED, "store": store_a.code}, format="json").status_code == 404
    assert not Cashier.objects.exists()
