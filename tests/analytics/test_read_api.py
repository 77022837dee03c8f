"""GET /api/stores/<id>/customers|heatmaps|queues: buckets in the store's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import Cashier, Zone
from tests.factories import StoreFactory


def customers(store, hour, camera="", **values):
    return HourlyCustomers.objects.create(store=store, camera_id=camera, hour=hour, **values)


@pytest.fixture
def new_york_store(tenant_a):
    return StoreFactory(tenant=tenant_a, code="ny-5th", timezone="America/New_York")


def test_hour_buckets_carry_store_offset(api, brand_admin_a, store_a):
    # 20:00 and 21:00 UTC on 16 Feb are 23:00 on the 16th and 00:00 on the 17th in Istanbul (+03:00).
    customers(store_a, datetime(2026, 2, 16, 20, tzinfo=UTC), entered=5, exited=1)
    customers(store_a, datetime(2026, 2, 16, 21, tzinfo=UTC), entered=7, exited=2)
    response = api(brand_admin_a).get(f"/api/stores/{store_a.pk}/customers?from=2026-02-16&to=2026-02-16")
    assert response.status_code == 200
    body = response.json()
    assert (body["store"], body["granularity"]) == (store_a.pk, "hour")
    assert [(r["period"], r["entered"]) for r in body["results"]] == [("2026-02-16T23:00:00+03:00", 5)]


def test_day_buckets_follow_local_midnight(api, brand_admin_a, new_york_store):
    # New York is UTC-05:00 in February: 04:00 UTC on the 17th is still the 16th locally.
    customers(new_york_store, datetime(2026, 2, 16, 14, tzinfo=UTC), entered=10, exited=4)
    customers(new_york_store, datetime(2026, 2, 17, 4, tzinfo=UTC), entered=3, exited=9)
    customers(new_york_store, datetime(2026, 2, 17, 5, tzinfo=UTC), entered=2, exited=1)
    url = f"/api/stores/{new_york_store.pk}/customers?from=2026-02-16&to=2026-02-17&granularity=day"
    results = api(brand_admin_a).get(url).json()["results"]
    assert [(r["period"], r["entered"], r["exited"]) for r in results] == [
        ("2026-02-16T00:00:00-05:00", 13, 13),
        ("2026-02-17T00:00:00-05:00", 2, 1),
    ]


def test_day_bucket_across_dst_change(api, brand_admin_a, new_york_store):
    # 8 March 2026 is the US spring-forward day: local midnight is -05:00, the next one -04:00.
    customers(new_york_store, datetime(2026, 3, 8, 12, tzinfo=UTC), entered=4)
    customers(new_york_store, datetime(2026, 3, 9, 3, tzinfo=UTC), entered=6)  # 23:00 on the 8th (-04:00)
    customers(new_york_store, datetime(2026, 3, 9, 4, tzinfo=UTC), entered=1)  # 00:00 on the 9th
    url = f"/api/stores/{new_york_store.pk}/customers?from=2026-03-08&to=2026-03-09&granularity=day"
    results = api(brand_admin_a).get(url).json()["results"]
    assert [(r["period"], r["entered"]) for r in results] == [
        ("2026-03-08T00:00:00-05:00", 10),
        ("2026-03-09T00:00:00-04:00", 1),
    ]


def test_half_hour_offset_store_keeps_true_hour_starts(api, brand_admin_a, tenant_a):
    kolkata = StoreFactory(tenant=tenant_a, code="in-1", timezone="Asia/Kolkata")
    customers(kolkata, datetime(2026, 2, 16, 4, tzinfo=UTC), entered=1)
    customers(kolkata, datetime(2026, 2, 16, 5, tzinfo=UTC), entered=2)
    results = api(brand_admin_a).get(f"/api/stores/{kolkata.pk}/customers?from=2026-02-16").json()["results"]
    assert [(r["period"], r["entered"]) for r in results] == [
        ("2026-02-16T09:30:00+05:30", 1),
        ("2026-02-16T10:30:00+05:30", 2),
    ]


def test_cameras_sum_and_occupancy_is_peak(api, brand_admin_a, store_a):
    hour = datetime(2026, 2, 16, 11, tzinfo=UTC)
    customers(store_a, hour, "kapi-1", entered=10, exited=8, customers_inside=40, male_count=4)
    customers(store_a, hour, "kapi-2", entered=5, exited=2, customers_inside=42, male_count=1)
    customers(store_a, hour, "demografi", female_count=9)
    row = api(brand_admin_a).get(f"/api/stores/{store_a.pk}/customers?from=2026-02-16").json()["results"][0]
    assert row == {
        "period": "2026-02-16T14:00:00+03:00",
        "entered": 15,
        "exited": 10,
        "customers_inside": 42,
        "male_count": 5,
        "female_count": 9,
        "age_18_30": None,
        "age_30_50": None,
        "age_50_plus": None,
    }


def test_heatmap_intensity_is_weighted_by_visitors(api, viewer_a, store_a):
    zone = Zone.objects.create(store=store_a, name="vitrin")
    HourlyZoneHeatmap.objects.create(
        store=store_a,
        zone=zone,
        camera_id="a",
        hour=datetime(2026, 2, 16, 10, tzinfo=UTC),
        visitor_count=30,
        intensity=10,
    )
    HourlyZoneHeatmap.objects.create(
        store=store_a,
        zone=zone,
        camera_id="a",
        hour=datetime(2026, 2, 16, 11, tzinfo=UTC),
        visitor_count=10,
        intensity=50,
    )
    url = f"/api/stores/{store_a.pk}/heatmaps?from=2026-02-16&granularity=day"
    assert api(viewer_a).get(url).json()["results"] == [
        {"period": "2026-02-16T00:00:00+03:00", "zone": "vitrin", "visitor_count": 40, "intensity": 20.0}
    ]


def test_heatmap_with_zero_visitors_averages_plainly(api, viewer_a, store_a):
    zone = Zone.objects.create(store=store_a, name="aksesuar")
    for hour, intensity in ((10, 12.0), (11, 18.0)):
        HourlyZoneHeatmap.objects.create(
            store=store_a, zone=zone, hour=datetime(2026, 2, 16, hour, tzinfo=UTC), visitor_count=0, intensity=intensity
        )
    url = f"/api/stores/{store_a.pk}/heatmaps?from=2026-02-16&granularity=day"
    assert api(viewer_a).get(url).json()["results"][0]["intensity"] == 15.0


def test_queue_wait_time_is_weighted_by_customers(api, viewer_a, store_a):
    kasa = Cashier.objects.create(store=store_a, name="Kasa-1")
    HourlyQueue.objects.create(
        store=store_a, cashier=kasa, hour=datetime(2026, 2, 16, 10, tzinfo=UTC), total_customers=3, wait_time=60
    )
    HourlyQueue.objects.create(
        store=store_a, cashier=kasa, hour=datetime(2026, 2, 16, 11, tzinfo=UTC), total_customers=1, wait_time=20
    )
    url = f"/api/stores/{store_a.pk}/queues?from=2026-02-16&granularity=day"
    assert api(viewer_a).get(url).json()["results"] == [
        {"period": "2026-02-16T00:00:00+03:00", "cashier_id": "Kasa-1", "total_customers": 4, "wait_time": 50.0}
    ]
    hourly = api(viewer_a).get(f"/api/stores/{store_a.pk}/queues?from=2026-02-16").json()["results"]
    assert [(r["period"], r["wait_time"]) for r in hourly] == [
        ("2026-02-16T13:00:00+03:00", 60.0),
        ("2026-02-16T14:00:00+03:00", 20.0),
    ]


def test_posted_seed_payloads_show_up(api, sender_a, store_a):
    client = api(sender_a)
    client.post(
        "/api/analytics/customers", {"entered": 10, "exited": 8, "timestamp": "2026-02-16T14:00"}, format="json"
    )
    client.post(
        "/api/analytics/heatmaps",
        {"zone": "kadin-giyim", "visitor_count": 122, "intensity": 45.5, "timestamp": "2026-02-16T14:00"},
        format="json",
    )
    client.post(
        "/api/analytics/queues",
        {"cashier_id": "Kasa-2", "total_customers": 14, "wait_time": 44.5, "timestamp": "2026-02-16T14:00"},
        format="json",
    )
    base = f"/api/stores/{store_a.pk}"
    assert client.get(f"{base}/customers?from=2026-02-16").json()["results"][0]["entered"] == 10
    assert client.get(f"{base}/heatmaps?from=2026-02-16").json()["results"][0]["visitor_count"] == 122
    assert client.get(f"{base}/queues?from=2026-02-16").json()["results"][0]["wait_time"] == 44.5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=16-02-2026", "from"),
        ("from=2026-02-16&to=2026-02-10", "to"),
        ("from=2024-01-01&to=2026-01-01", "to"),
        ("granularity=minute", "granularity"),
        ("to=garbage", "to"),
    ],
)
def test_bad_parameters_are_400(api, viewer_a, store_a, query, field):
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/customers?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("report", ["customers", "heatmaps", "queues", "health"])
def test_other_tenants_store_is_404(api, viewer_b, brand_admin_a, store_a, store_b, report):
    customers(store_b, datetime(2026, 2, 16, 10, tzinfo=UTC), entered=99)
    assert api(viewer_b).get(f"/api/stores/{store_a.pk}/{report}").status_code == 404
    response = api(brand_admin_a).get(f"/api/stores/{store_b.pk}/{report}?from=2026-02-16")
    assert response.status_code == 404
    assert "99" not in response.content.decode()


@pytest.mark.parametrize("report", ["customers", "heatmaps", "queues", "health"])
def test_viewer_sees_only_granted_stores(api, viewer_a, store_a2, report):
    assert api(viewer_a).get(f"/api/stores/{store_a2.pk}/{report}").status_code == 404


def test_unauthenticated_read_is_401(api, store_a):
    assert api().get(f"/api/stores/{store_a.pk}/customers").status_code == 401


def test_nonexistent_store_is_404(api, operator):
    assert api(operator).get("/api/stores/999999/customers").status_code == 404


def test_report_query_count_is_constant(api, brand_admin_a, store_a, django_assert_max_num_queries):
    for hour in range(24):
        customers(store_a, datetime(2026, 2, 16, hour, tzinfo=UTC), camera=f"c{hour % 3}", entered=hour + 1)
    client = api(brand_admin_a)
    client.get(f"/api/stores/{store_a.pk}/customers?from=2026-02-16")  # warm the credential cache
    with django_assert_max_num_queries(4):
        results = client.get(f"/api/stores/{store_a.pk}/customers?from=2026-02-16").json()["results"]
    # The local (+03:00) day 16 Feb starts at 21:00 UTC on the 15th: UTC hours 21-23 are the 17th.
    assert len(results) == 21
