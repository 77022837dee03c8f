"""Every time in the console is the store's local time with the zone named (issue 18).

The same moment, 2026-12-01 19:10:05 UTC, reached a store in Istanbul (22:10, UTC+3) and one in
Taipei (03:10 the next day, UTC+8): each row and form shows its own store's wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from devices.models import Device, ReceivedDocument
from pantilt.models import CaptureSession, CommandLog, Rig
from stores.admin_times import local_time, store_path
from stores.models import Camera, Store, StoreHeartbeat, Tenant
from tests.factories import StoreFactory
from visitorsflow.models import PersonEvent, Site

MOMENT = datetime(2026, 12, 1, 19, 10, 5, tzinfo=UTC)
ISTANBUL = "2026-12-01 22:10:05 (Europe/Istanbul)"
TAIPEI = "2026-12-02 03:10:05 (Asia/Taipei)"
IN_UTC = "2026-12-01 19:10:05 (UTC)"


@pytest.fixture
def stores(tenant_a, store_a):
    taipei = StoreFactory(tenant=tenant_a, name="Taipei 101", code="boyner-taipei", timezone="Asia/Taipei")
    return store_a, taipei


@pytest.fixture
def console(brand_admin_a) -> Client:
    client = Client()
    client.force_login(brand_admin_a)
    return client


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def document(store: Store) -> ReceivedDocument:
    return ReceivedDocument.objects.create(
        store=store, device_key=f"{store.code}-dev", body=b"<Metrics/>", size=10, received_at=MOMENT, outcome="ok"
    )


@pytest.mark.django_db
def test_documents_list_and_form_show_each_store_time(console, stores):
    istanbul, taipei = stores
    first, second = document(istanbul), document(taipei)
    listing = html(console, "/admin/devices/receiveddocument/")
    # Each row: the column and the object's name (the checkbox label) say the store's time.
    assert listing.count(ISTANBUL) == 2 and listing.count(TAIPEI) == 2
    assert "19:10" not in listing  # the UTC wall clock appears nowhere
    # Still sortable by the column (its header links to ?o=1).
    assert html(console, "/admin/devices/receiveddocument/?o=1").index(ISTANBUL) >= 0
    assert ISTANBUL in html(console, f"/admin/devices/receiveddocument/{first.pk}/change/")
    form = html(console, f"/admin/devices/receiveddocument/{second.pk}/change/")
    assert TAIPEI in form and ISTANBUL not in form


@pytest.mark.django_db
def test_heartbeat_devices_and_inline_cameras_in_store_time(console, stores):
    istanbul, taipei = stores
    beat = StoreHeartbeat.objects.create(store=taipei, received_at=MOMENT, count=1, payload={})
    assert TAIPEI in html(console, "/admin/stores/storeheartbeat/")
    assert TAIPEI in html(console, f"/admin/stores/storeheartbeat/{beat.pk}/change/")

    device = Device.objects.create(
        store=istanbul, device_id="d1", name="door", first_seen=MOMENT, last_seen=MOMENT, last_data_at=MOMENT
    )
    listing = html(console, "/admin/devices/device/")
    assert ISTANBUL in listing and f"no data since {ISTANBUL}" in listing  # the state column too
    assert html(console, f"/admin/devices/device/{device.pk}/change/").count(ISTANBUL) >= 2  # first and last seen

    camera = Camera.objects.create(store=taipei, name="kasa", type="queue")
    Camera.objects.filter(pk=camera.pk).update(updated_at=MOMENT)
    assert TAIPEI in html(console, f"/admin/stores/store/{taipei.pk}/change/")  # the camera inline
    assert "Store AI" in html(console, "/admin/stores/store/")


@pytest.mark.django_db
def test_visitorsflow_rows_follow_the_site_store(console, stores, tmp_path):
    _, taipei = stores
    site = Site.objects.create(store=taipei, ssid="SS-101", watch_dir=str(tmp_path))
    PersonEvent.objects.create(site=site, person_id=1, in_out=0, time=MOMENT, frame_number=1)
    assert TAIPEI in html(console, "/admin/visitorsflow/personevent/")


@pytest.mark.django_db
def test_objects_without_a_store_are_shown_in_named_utc(console, tenant_a, stores):
    Tenant.objects.filter(pk=tenant_a.pk).update(created_at=MOMENT)
    assert IN_UTC in html(console, "/admin/stores/tenant/")
    rig = Rig.objects.create(tenant=tenant_a, device_id="rig_1")
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig, request={})
    CaptureSession.objects.filter(pk=session.pk).update(created_at=MOMENT)
    CommandLog.objects.create(session=session, index=0, transport="mqtt", status="sent", command={})
    CommandLog.objects.filter(session=session).update(created_at=MOMENT)
    form = html(console, f"/admin/pantilt/capturesession/{session.pk}/change/")
    assert form.count(IN_UTC) == 2  # the session's own time and its command inline


@pytest.mark.django_db
def test_operator_console_uses_the_same_store_times(operator, stores):
    _, taipei = stores
    document(taipei)
    client = Client()
    client.force_login(operator)
    assert TAIPEI in html(client, "/operator/devices/receiveddocument/")


def test_store_is_found_along_foreign_keys():
    assert store_path(Store) == ""
    assert store_path(ReceivedDocument) == "store"
    assert store_path(PersonEvent) == "site__store"
    assert store_path(CaptureSession) is None
    assert local_time(MOMENT, "Asia/Taipei") == TAIPEI
    assert local_time(None, "UTC") is None


@pytest.mark.django_db
def test_history_page_names_the_store_zone(console, brand_admin_a, stores):
    _, taipei = stores
    entry = LogEntry.objects.create(
        user=brand_admin_a,
        content_type=ContentType.objects.get_for_model(Store),
        object_id=str(taipei.pk),
        object_repr=str(taipei),
        action_flag=CHANGE,
        change_message="edited",
    )
    LogEntry.objects.filter(pk=entry.pk).update(action_time=MOMENT)
    assert TAIPEI in html(console, f"/admin/stores/store/{taipei.pk}/history/")
