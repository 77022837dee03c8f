"""Health that tells the truth (issue 14 item 3): online only while data documents are accepted.

A camera whose counts are refused while its Diags heartbeats are accepted is ``refusing`` (red,
with the reason and its kept document) in the read API, the dashboard and the console; a fixed
document makes it online; nothing for longer than the timeout makes it silent.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from freezegun import freeze_time

from devices.models import Device, ReceivedDocument
from devices.services import ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml

BAD_COUNTS = document(reports=[report_xml(objects=[object_xml(counts=[count_xml(enters="-1")])])])
GOOD_COUNTS = document()
DIAGS = document(root="Diags")


def states(api, user, store) -> dict[str, dict]:
    response = api(user).get(f"/api/stores/{store.pk}/health")
    assert response.status_code == 200
    return {d["device_id"]: d for d in response.json()["devices"]}


def test_refused_counts_with_accepted_diags_are_refusing_everywhere(api, viewer_a, brand_admin_a, client, store_a):
    now = timezone.now()
    assert ingest_document(store_a, GOOD_COUNTS, received_at=now - timedelta(minutes=5)).accepted
    refused = ingest_document(store_a, BAD_COUNTS, received_at=now - timedelta(minutes=3))
    assert not refused.accepted
    assert ingest_document(store_a, DIAGS, received_at=now - timedelta(minutes=1)).accepted

    device = states(api, viewer_a, store_a)["cam-1"]
    assert (device["state"], device["online"], device["heard"]) == ("refusing", False, True)
    assert device["last_data_at"] == (now - timedelta(minutes=5)).isoformat()
    assert device["refusal"]["document_id"] == refused.document_id
    assert device["refusal"]["received_at"] == (now - timedelta(minutes=3)).isoformat()
    assert "Enters" in device["refusal"]["reason"]
    assert device["refusal"]["console_url"] == f"/admin/devices/receiveddocument/{refused.document_id}/change/"
    assert ReceivedDocument.objects.get(pk=refused.document_id).kind == "Metrics"  # sniffed root

    client.force_login(brand_admin_a)
    page = client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    assert 'data-device-state="refusing"' in page and 'data-device-state="online"' not in page
    assert device["refusal"]["console_url"] in page  # brand admins may open the console
    listing = client.get("/admin/devices/device/").content.decode()
    assert "device-state--refusing" in listing and device["refusal"]["console_url"] in listing
    assert client.get(device["refusal"]["console_url"]).status_code == 200
    # The store list counts a refusing camera as offline.
    assert "1 / 1" in client.get("/dashboard/").content.decode()


def test_a_fixed_document_makes_it_online(api, viewer_a, store_a):
    now = timezone.now()
    ingest_document(store_a, DIAGS, received_at=now - timedelta(minutes=4))
    ingest_document(store_a, BAD_COUNTS, received_at=now - timedelta(minutes=3))
    assert states(api, viewer_a, store_a)["cam-1"]["state"] == "refusing"
    ingest_document(store_a, GOOD_COUNTS, received_at=now - timedelta(minutes=1))
    device = states(api, viewer_a, store_a)["cam-1"]
    assert (device["state"], device["online"], device["refusal"]) == ("online", True, None)


def test_a_refused_heartbeat_changes_no_state(api, viewer_a, store_a):
    now = timezone.now()
    ingest_document(store_a, GOOD_COUNTS, received_at=now - timedelta(minutes=2))
    assert not ingest_document(store_a, b"<Diags DeviceId='cam-1'>", received_at=now - timedelta(minutes=1)).accepted
    assert states(api, viewer_a, store_a)["cam-1"]["state"] == "online"


def test_silent_after_the_timeout_and_diags_alone_are_no_data(api, viewer_a, store_a):
    with freeze_time("2026-03-10 12:00:00"):
        ingest_document(store_a, GOOD_COUNTS)
        assert states(api, viewer_a, store_a)["cam-1"]["state"] == "online"
    with freeze_time("2026-03-10 12:10:00"):  # exactly the timeout still counts
        assert states(api, viewer_a, store_a)["cam-1"]["state"] == "online"
        ingest_document(store_a, DIAGS)
    with freeze_time("2026-03-10 12:10:01"):
        device = states(api, viewer_a, store_a)["cam-1"]
        assert (device["state"], device["online"], device["heard"]) == ("silent", False, True)
    with freeze_time("2026-03-10 12:30:00"):
        device = states(api, viewer_a, store_a)["cam-1"]
        assert (device["state"], device["heard"]) == ("silent", False)
    with freeze_time("2026-03-10 12:31:00"):
        ingest_document(store_a, BAD_COUNTS)
        assert states(api, viewer_a, store_a)["cam-1"]["state"] == "refusing"
    with freeze_time("2026-03-10 12:42:00"):
        assert states(api, viewer_a, store_a)["cam-1"]["state"] == "silent"  # a refusal ages out too


def test_refusals_stay_in_their_tenant(api, viewer_a, viewer_b, brand_admin_a, client, store_a, store_b):
    now = timezone.now()
    for store in (store_a, store_b):
        ingest_document(store, GOOD_COUNTS, received_at=now - timedelta(minutes=2))
    refused_b = ingest_document(store_b, BAD_COUNTS, received_at=now - timedelta(minutes=1))
    assert states(api, viewer_a, store_a)["cam-1"]["state"] == "online"  # same DeviceId, other store
    assert states(api, viewer_b, store_b)["cam-1"]["state"] == "refusing"
    assert Device.objects.get(store=store_a).last_refused_at is None
    client.force_login(brand_admin_a)
    assert client.get(f"/admin/devices/receiveddocument/{refused_b.document_id}/change/").status_code in (302, 404)
    assert "device-state--refusing" not in client.get("/admin/devices/device/").content.decode()
