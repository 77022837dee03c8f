"""Admin: devices and received documents, scoped per tenant; the copyable ingest URL."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from devices.models import Device, MinuteCount, ReceivedDocument
from devices.services import ingest_document
from tests.devices.conftest import sample


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_brand_admin_sees_own_devices_with_status_and_ingest_url(brand_admin_a, store_a, store_b):
    ingest_document(store_a, sample("metrics"), received_at=timezone.now())
    ingest_document(store_b, sample("diags"), received_at=timezone.now())
    client = logged_in(brand_admin_a)
    listing = client.get("/admin/devices/device/")
    assert listing.status_code == 200
    assert b"12345" in listing.content and b"online" in listing.content
    assert b"Device ID" not in listing.content
    device = Device.objects.get(store=store_a)
    page = client.get(f"/admin/devices/device/{device.pk}/change/")
    assert page.status_code == 200
    assert f'value="http://testserver/api/devices/xml/{store_a.ingest_key}/"'.encode() in page.content
    assert b"201000002209190025" in page.content
    assert store_b.ingest_key.encode() not in page.content


def test_brand_admin_gets_404_for_another_tenants_device_and_document(brand_admin_a, store_a, store_b):
    ingest_document(store_b, sample("diags"))
    client = logged_in(brand_admin_a)
    device = Device.objects.get()
    document = ReceivedDocument.objects.get()
    # The admin answers a missing object with a redirect to the index plus "doesn't exist" message.
    for url in (f"/admin/devices/device/{device.pk}/change/", f"/admin/devices/receiveddocument/{document.pk}/change/"):
        response = client.get(url, follow=True)
        assert b"Device ID" not in response.content
        assert b"4C:BC:98:60:00:9E" not in response.content
    assert b"Device ID" not in client.get("/admin/devices/receiveddocument/").content


def test_documents_show_outcome_and_body(brand_admin_a, store_a):
    ingest_document(store_a, b"<Diags DeviceId='cam-7'>", received_at=timezone.now())
    client = logged_in(brand_admin_a)
    listing = client.get("/admin/devices/receiveddocument/")
    assert listing.status_code == 200
    assert b"rejected" in listing.content and b"cam-7" in listing.content
    page = client.get(f"/admin/devices/receiveddocument/{ReceivedDocument.objects.get().pk}/change/")
    assert page.status_code == 200
    assert b"&lt;Diags DeviceId=&#x27;cam-7&#x27;&gt;" in page.content


def test_replay_action(operator, store_a):
    document = ReceivedDocument.objects.create(
        store=store_a,
        device_key="12345",
        body=sample("metrics"),
        size=1,
        received_at=timezone.now(),
        outcome="rejected",
        error="old parser",
    )
    response = logged_in(operator).post(
        "/admin/devices/receiveddocument/",
        {"action": "replay_selected", "_selected_action": [document.pk]},
        follow=True,
    )
    assert b"Replayed: 1 accepted, 0 rejected." in response.content
    assert MinuteCount.objects.count() == 3


def test_devices_cannot_be_added_by_hand(operator):
    assert logged_in(operator).get("/admin/devices/device/add/").status_code == 403
