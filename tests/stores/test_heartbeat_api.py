"""POST /api/health/heartbeat: the store AI's liveness signal."""

from __future__ import annotations

import pytest

from stores.models import StoreHeartbeat

URL = "/api/health/heartbeat"


def test_empty_body_records_heartbeat(api, sender_a, store_a):
    response = api(sender_a).post(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == "boyner-avm"
    heartbeat = StoreHeartbeat.objects.get(store=store_a)
    assert heartbeat.count == 1
    assert body["received_at"] == heartbeat.received_at.isoformat()


def test_repeated_heartbeats_keep_one_row_and_count(api, sender_a, store_a):
    client = api(sender_a)
    for _ in range(3):
        assert client.post(URL, {"version": "1.2"}, format="json").status_code == 200
    heartbeat = StoreHeartbeat.objects.get(store=store_a)
    assert heartbeat.count == 3
    assert heartbeat.payload == {"version": "1.2"}


@pytest.mark.parametrize("body", ["[1, 2]", '"ping"', "42"])
def test_non_object_json_is_400(api, sender_a, body):
    response = api(sender_a).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not StoreHeartbeat.objects.exists()


def test_missing_and_wrong_credentials_are_401(api, sender_a):
    assert api().post(URL).status_code == 401
    assert api(sender_a, password="nope").post(URL).status_code == 401
    assert not StoreHeartbeat.objects.exists()


def test_other_tenants_store_is_404_and_not_revealed(api, sender_a, store_b):
    response = api(sender_a).post(URL, {"store": store_b.code}, format="json")
    assert response.status_code == 404
    assert store_b.code not in response.content.decode()
    assert not StoreHeartbeat.objects.exists()


def test_viewer_may_not_send(api, viewer_a):
    assert api(viewer_a).post(URL).status_code == 403
    assert not StoreHeartbeat.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"store": "\\u0000"}', "store"),
        ('{"note": "a\\u0000b"}', "note"),
        ('{"a": {"b": ["\\u0000"]}}', "a.b.0"),
        ('{"x": ' + "[" * 30 + "]" * 30 + "}", "x" + ".0" * 20),
    ],
)
def test_payload_postgresql_cannot_store_is_400(api, sender_a, body, field):
    response = api(sender_a).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not StoreHeartbeat.objects.exists()
