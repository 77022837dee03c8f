"""A camera is green only while its counts arrive (issue 14 item 3, docs/devices.md "Health").

Driven through the real XML ingest endpoint, then read where a store's staff and brand admins
look: the read API, the store dashboard, the console's device list and the brand view.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from devices.models import Device, ReceivedDocument
from devices.selectors import device_health
from devices.services import ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml

pytestmark = pytest.mark.django_db

GOOD = document(device_id="door-1")
REFUSED = document(device_id="door-1", reports=[report_xml(objects=[object_xml(counts=[count_xml(enters="-4")])])])
DIAGS = document(root="Diags", device_id="door-1")


def states(store, now=None) -> dict[str, str]:
    return {row["device_id"]: row["state"] for row in device_health(store, now or timezone.now())}


def test_counts_refused_while_heartbeats_arrive_is_refusing_with_reason_and_document(post_xml, api, viewer_a, store_a):
    assert post_xml(store_a, GOOD).status_code == 200
    assert states(store_a) == {"door-1": "online"}

    refused = post_xml(store_a, REFUSED)
    assert refused.status_code == 400
    assert post_xml(store_a, DIAGS).status_code == 200  # the camera is up: heartbeats accepted

    row = api(viewer_a).get(f"/api/stores/{store_a.pk}/health").json()["devices"][0]
    assert row["state"] == "refusing"
    assert row["online"] is False
    assert row["heard"] is True
    kept = ReceivedDocument.objects.get(store=store_a, outcome="rejected")
    assert row["refusal"]["document_id"] == kept.pk
    assert "Enters" in row["refusal"]["reason"]
    assert row["refusal"]["console_url"] == f"/admin/devices/receiveddocument/{kept.pk}/change/"


def test_a_fixed_document_turns_a_refusing_camera_online(post_xml, store_a):
    post_xml(store_a, GOOD)
    post_xml(store_a, REFUSED)
    assert states(store_a) == {"door-1": "refusing"}
    post_xml(store_a, document(device_id="door-1", transmit=1667806980))
    assert states(store_a) == {"door-1": "online"}


def test_a_refused_heartbeat_changes_no_state(post_xml, store_a):
    post_xml(store_a, GOOD)
    broken_diags = DIAGS.replace(b"<Timezone>8</Timezone>", b"<Timezone>x</Timezone>")
    post_xml(store_a, broken_diags)
    assert states(store_a) == {"door-1": "online"}


def test_silent_after_the_inactivity_timeout_even_with_heartbeats(store_a):
    start = timezone.now()
    ingest_document(store_a, GOOD, received_at=start)
    for minute in (5, 10, 15):
        ingest_document(store_a, DIAGS, received_at=start + timedelta(minutes=minute))
    assert states(store_a, start + timedelta(minutes=10)) == {"door-1": "online"}  # the timeout itself counts
    later = start + timedelta(minutes=15)
    row = device_health(store_a, later)[0]
    assert (row["state"], row["online"], row["heard"]) == ("silent", False, True)


def test_a_refusal_older_than_the_timeout_is_silent_not_refusing(store_a):
    start = timezone.now()
    ingest_document(store_a, GOOD, received_at=start)
    ingest_document(store_a, REFUSED, received_at=start + timedelta(minutes=1))
    assert states(store_a, start + timedelta(minutes=11)) == {"door-1": "refusing"}
    assert states(store_a, start + timedelta(minutes=12)) == {"door-1": "silent"}


def test_a_camera_that_only_ever_sent_heartbeats_is_silent(post_xml, store_a):
    post_xml(store_a, DIAGS)
    assert states(store_a) == {"door-1": "silent"}


def test_documents_of_a_camera_never_accepted_are_kept_without_a_device(post_xml, store_a):
    assert post_xml(store_a, REFUSED).status_code == 400
    assert not Device.objects.filter(store=store_a).exists()
    assert ReceivedDocument.objects.filter(store=store_a, outcome="rejected", device_key="door-1").count() == 1


def test_the_store_dashboard_shows_refusing_in_red_never_green(client, post_xml, viewer_a, store_a):
    post_xml(store_a, GOOD)
    post_xml(store_a, REFUSED)
    post_xml(store_a, DIAGS)
    client.force_login(viewer_a)
    html = client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    row = re.search(r'<tr data-device-state="(\w+)">(.*?)</tr>', html, re.S)
    assert row.group(1) == "refusing"
    assert "pill--bad" in row.group(2) and "pill--ok" not in row.group(2)
    assert "Enters" in row.group(2)
    assert "/admin/devices/receiveddocument/" not in row.group(2)  # a viewer has no console


def test_the_console_device_list_links_the_refused_document(client, post_xml, brand_admin_a, store_a):
    post_xml(store_a, GOOD)
    post_xml(store_a, REFUSED)
    kept = ReceivedDocument.objects.get(store=store_a, outcome="rejected")
    client.force_login(brand_admin_a)
    html = client.get("/admin/devices/device/").content.decode()
    assert "device-state--refusing" in html
    assert f'href="/admin/devices/receiveddocument/{kept.pk}/change/"' in html
    assert client.get(f"/admin/devices/receiveddocument/{kept.pk}/change/").status_code == 200


def test_the_brand_view_counts_a_refusing_camera_as_offline(client, post_xml, brand_admin_a, store_a):
    from devices.overview import device_status_by_store

    post_xml(store_a, GOOD)
    assert device_status_by_store([store_a], timezone.now())[store_a.pk] == (1, 0)
    post_xml(store_a, REFUSED)
    assert device_status_by_store([store_a], timezone.now())[store_a.pk] == (1, 1)
    client.force_login(brand_admin_a)
    assert client.get("/dashboard/brand/").status_code == 200


def test_another_brand_never_sees_the_refusal(api, post_xml, viewer_b, store_a):
    post_xml(store_a, GOOD)
    post_xml(store_a, REFUSED)
    assert api(viewer_b).get(f"/api/stores/{store_a.pk}/health").status_code == 404


def test_states_age_with_the_clock(post_xml, store_a):
    with freeze_time("2026-12-01 10:00:00"):
        post_xml(store_a, GOOD)
        assert states(store_a) == {"door-1": "online"}
    with freeze_time("2026-12-01 10:11:00"):
        assert states(store_a) == {"door-1": "silent"}
