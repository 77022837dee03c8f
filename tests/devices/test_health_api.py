"""GET /api/stores/<id>/health: the store's counting cameras with online status and properties."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from devices.selectors import device_health
from devices.services import ingest_document
from tests.devices.conftest import sample


def test_devices_listed_with_status_and_properties(api, viewer_a, store_a):
    now = timezone.now()
    ingest_document(store_a, sample("metrics"), received_at=now - timedelta(minutes=3))
    ingest_document(store_a, sample("diags"), received_at=now - timedelta(minutes=11))
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/health")
    assert response.status_code == 200
    devices = response.json()["devices"]
    assert [(d["device_id"], d["online"]) for d in devices] == [("12345", True), ("Device ID", False)]
    first = devices[0]
    assert first["last_seen"] == (now - timedelta(minutes=3)).isoformat()
    assert {
        k: first[k] for k in ("name", "mac_address", "ip_address", "serial_number", "sw_release", "last_document")
    } == {
        "name": "deviceName",
        "mac_address": "4C:BC:98:60:27:8A",
        "ip_address": "192.168.8.223",
        "serial_number": "201000002209190025",
        "sw_release": "",
        "last_document": "Metrics",
    }


def test_online_follows_the_store_timeout(store_a):
    now = timezone.now()
    ingest_document(store_a, sample("metrics"), received_at=now - timedelta(minutes=10))
    assert device_health(store_a, now)[0]["online"] is True  # exactly the timeout still counts
    assert device_health(store_a, now + timedelta(seconds=1))[0]["online"] is False
    store_a.inactivity_timeout_minutes = 30
    store_a.save()
    assert device_health(store_a, now + timedelta(minutes=15))[0]["online"] is True


def test_rejected_document_does_not_make_a_device_online(store_a):
    ingest_document(store_a, b"<Diags DeviceId='x'>")
    assert device_health(store_a, timezone.now()) == []


def test_other_tenants_devices_never_show(api, viewer_a, viewer_b, store_a, store_b):
    ingest_document(store_b, sample("diags"))
    assert api(viewer_a).get(f"/api/stores/{store_a.pk}/health").json()["devices"] == []
    response = api(viewer_a).get(f"/api/stores/{store_b.pk}/health")
    assert response.status_code == 404
    assert b"Device ID" not in response.content
    assert [d["device_id"] for d in api(viewer_b).get(f"/api/stores/{store_b.pk}/health").json()["devices"]] == [
        "Device ID"
    ]
