"""POST /api/analytics/heatmaps: zone rows per hour, unknown zones created."""

from __future__ import annotations

import pytest

from analytics.models import HourlyZoneHeatmap
from stores.models import Zone

URL = "/api/analytics/heatmaps"
SEED = {
    "zone": "kadin-giyim",
    "visitor_count": 122,
    "intensity": 45.5,
    "camera_id": "kamera-2",
    "timestamp": "2026-02-16T14:00",
}


def test_seed_payload_creates_zone_and_row(api, sender_a, store_a):
    response = api(sender_a).post(URL, SEED, format="json")
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("store", "zone", "camera_id", "timestamp", "visitor_count", "intensity")} == {
        "store": "boyner-avm",
        "zone": "kadin-giyim",
        "camera_id": "kamera-2",
        "timestamp": "2026-02-16T14:00:00Z",
        "visitor_count": 122,
        "intensity": 45.5,
    }
    assert list(Zone.objects.filter(store=store_a).values_list("name", flat=True)) == ["kadin-giyim"]


def test_resend_updates_same_row(api, sender_a):
    client = api(sender_a)
    client.post(URL, SEED, format="json")
    response = client.post(URL, {**SEED, "visitor_count": 130, "intensity": 40}, format="json")
    assert response.status_code == 200
    row = HourlyZoneHeatmap.objects.get()
    assert (row.visitor_count, row.intensity) == (130, 40.0)
    assert Zone.objects.count() == 1


def test_seed_hourly_loop_of_three_zones_as_one_batch(api, sender_a, store_a):
    batch = [
        {"zone": zone, "visitor_count": 50, "intensity": 35.2, "timestamp": "2026-02-16T14:00"}
        for zone in ("erkek-giyim", "kadin-giyim", "aksesuar")
    ]
    assert api(sender_a).post(URL, batch, format="json").status_code == 201
    assert HourlyZoneHeatmap.objects.filter(store=store_a).count() == 3
    assert Zone.objects.filter(store=store_a).count() == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in SEED.items() if k != "zone"}, "zone"),
        ({**SEED, "zone": ""}, "zone"),
        ({k: v for k, v in SEED.items() if k != "visitor_count"}, "visitor_count"),
        ({k: v for k, v in SEED.items() if k != "intensity"}, "intensity"),
        ({**SEED, "visitor_count": -1}, "visitor_count"),
        ({**SEED, "intensity": -0.5}, "intensity"),
        ({**SEED, "intensity": "fast"}, "intensity"),
        ({**SEED, "intensity": "inf"}, "intensity"),
        ({**SEED, "intensity": "nan"}, "intensity"),
        ({**SEED, "intensity": 1e300}, "intensity"),
        ({**SEED, "zone": "z" * 121}, "zone"),
        ({**SEED, "zone": ["a"]}, "zone"),
    ],
)
def test_invalid_heatmaps_are_400(api, sender_a, payload, field):
    response = api(sender_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not HourlyZoneHeatmap.objects.exists()
    assert not Zone.objects.exists()


def test_batch_failure_creates_no_zone(api, sender_a):
    batch = [SEED, {**SEED, "zone": "vitrin", "visitor_count": -5}]
    assert api(sender_a).post(URL, batch, format="json").status_code == 400
    assert not Zone.objects.exists()


def test_other_tenant_store_404(api, sender_a, store_b):
    response = api(sender_a).post(URL, {**SEED, "store": store_b.code}, format="json")
    assert response.status_code == 404
    assert not Zone.objects.exists()
