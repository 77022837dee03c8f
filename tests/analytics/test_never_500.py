"""Generated hostile input against every sender endpoint: the answer is never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import Camera

ENDPOINTS = [
    "/api/analytics/customers",
    "/api/analytics/heatmaps",
    "/api/analytics/queues",
    "/api/settings/setup",
    "/api/health/heartbeat",
]
FIELDS = [
    "entered",
    "exited",
    "customers_inside",
    "male_count",
    "female_count",
    "age_18_30",
    "age_30_50",
    "age_50_plus",
    "camera_id",
    "timestamp",
    "zone",
    "visitor_count",
    "intensity",
    "cashier_id",
    "total_customers",
    "wait_time",
    "site_name",
    "cameras",
    "store",
    "username",
    "password",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        ["2026-02-16T14:00", "2026-02-16T14:00:00+14:00", "9999-12-31T23:59", "\x00", "a\x00b", "inf", "NaN"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*FIELDS, "name", "type", "rtsp", "snapshot", "note", "\x00"]), inner, max_size=4
        )
    ),
    max_leaves=10,
)
records = st.dictionaries(st.sampled_from([*FIELDS, "note", "\x00"]), values, max_size=8)
bodies = st.one_of(records, st.lists(records, max_size=4), values)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_generated_json_never_causes_500(api, sender_a, endpoint, body):
    response = api(sender_a).post(endpoint, json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (endpoint, body, response.content[:300])
    assert "errors" in response.json() or response.status_code in (200, 201)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_cause_500(api, sender_a, endpoint, raw):
    response = api(sender_a).post(endpoint, raw, content_type="application/json")
    assert response.status_code < 500


@pytest.mark.django_db
def test_rejected_requests_wrote_nothing(api, sender_a):
    """A record that fails validation never leaves a row behind, whatever else it carried."""
    client = api(sender_a)
    client.post("/api/analytics/customers", {"entered": 5, "exited": "x"}, format="json")
    client.post(
        "/api/analytics/heatmaps", [{"zone": "a", "visitor_count": 1, "intensity": 1}, {"zone": "b"}], format="json"
    )
    client.post("/api/analytics/queues", {"cashier_id": "K", "total_customers": 2**40, "wait_time": 1}, format="json")
    client.post(
        "/api/settings/setup", {"site_name": "S", "cameras": [{"name": "c", "type": "x", "rtsp": ""}]}, format="json"
    )
    assert not HourlyCustomers.objects.exists()
    assert not HourlyZoneHeatmap.objects.exists()
    assert not HourlyQueue.objects.exists()
    assert not Camera.objects.exists()
