"""Two brands with one row of every model the brand console registers, for the console tests.

Brand A is the conftest's ``tenant_a`` ("Boyner", store ``boyner-avm``): every text of its rows
carries ``boyner``, so a page of brand B that names any of them is caught by one substring.
Brand B ("Rival Brand") gets its own admin (``owner-b``) and a second store, so its filter
sidebars have something to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Model
from django.test import Client
from django.utils import timezone

from alerts.models import AlertRule, BrandAlertSettings, Condition, Notification
from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap, StoreDay
from devices.models import Device, ReceivedDocument
from pantilt.models import CaptureSession, CommandLog, Rig, RigCamera
from stores.models import Camera, Cashier, Membership, Role, Store, StoreHeartbeat, Tenant, Zone
from tests.factories import StoreFactory, make_member
from visitorsflow.models import Alert, ExportAttempt, IngestedFile, PersonEvent, Site

HOUR = datetime(2026, 2, 16, 10, tzinfo=UTC)
# Texts of brand A that must never reach a page of brand B (lower-cased comparison).
A_MARKERS = ("boyner", "AVM İstanbul".lower(), "owner-a", "viewer-a")


@dataclass
class World:
    tenant: Tenant
    store: Store
    objects: dict[type[Model], Model] = field(default_factory=dict)

    def __getitem__(self, model: type[Model]) -> Model:
        return self.objects[model]


def build(tenant: Tenant, store: Store, sender_user, tag: str, watch_dir: str) -> World:
    """One row of every console model for ``tenant``, each text carrying ``tag``."""
    world = World(tenant, store)
    now = timezone.now()
    zone = Zone.objects.create(store=store, name=f"{tag}-zone")
    cashier = Cashier.objects.create(store=store, name=f"{tag}-kasa")
    device = Device.objects.create(
        store=store, device_id=f"{tag}-dev", name=f"{tag} door", first_seen=now, last_seen=now, last_data_at=now
    )
    rig = Rig.objects.create(tenant=tenant, device_id=f"{tag}_rig")
    session = CaptureSession.objects.create(tenant=tenant, rig=rig, request={"tag": tag})
    site = Site.objects.create(store=store, ssid=f"SS-{tag}", watch_dir=watch_dir)
    rule = AlertRule.objects.create(
        tenant=tenant, name=f"{tag} ops", channel="email", recipient=f"ops@{tag}.example", kinds=["device_silent"]
    )
    rule.stores.set([store])
    condition = Condition.objects.create(store=store, kind="device_silent", subject=f"{tag}-dev", label=f"{tag} door")
    hourly = HourlyCustomers.objects.create(store=store, camera_id=f"{tag}-hc", hour=HOUR, entered=7)
    rows = [
        tenant,
        store,
        Membership.objects.get(user=sender_user),
        Camera.objects.create(store=store, name=f"{tag}-cam", type="heatmap", rtsp_url=f"rtsp://u:{tag}pw@h/1"),
        zone,
        cashier,
        StoreHeartbeat.objects.create(store=store, received_at=now, count=1, payload={"tag": tag}),
        hourly,
        HourlyZoneHeatmap.objects.create(
            store=store, zone=zone, camera_id=f"{tag}-hz", hour=HOUR, visitor_count=3, intensity=0.5
        ),
        HourlyQueue.objects.create(store=store, cashier=cashier, hour=HOUR, total_customers=2, wait_time=1.5),
        StoreDay.objects.get(store=store),
        device,
        ReceivedDocument.objects.create(
            store=store,
            device=device,
            device_key=f"{tag}-dev",
            body=b"<Metrics/>",
            size=10,
            received_at=now,
            outcome="rejected",
            error=f"{tag}-error",
        ),
        rig,
        RigCamera.objects.create(rig=rig, camera_id=f"{tag}_cam", ws_url="ws://127.0.0.1:9/x"),
        session,
        CommandLog.objects.create(
            session=session, index=1, command={"command_id": f"{tag}-cmd"}, transport="mqtt", status="sent"
        ),
        site,
        IngestedFile.objects.create(site=site, name=f"{tag}.json", sha256="0" * 64, size=2, outcome="processed"),
        PersonEvent.objects.create(site=site, person_id=4242, in_out=0, time=HOUR, frame_number=1),
        ExportAttempt.objects.create(site=site, status="sent", note=f"{tag}-note"),
        Alert.objects.create(site=site, kind="silence", text=f"{tag}-alert"),
        BrandAlertSettings.objects.create(tenant=tenant),
        rule,
        condition,
        Notification.objects.create(
            tenant=tenant,
            rule=rule,
            condition=condition,
            kind="device_silent",
            phase="problem",
            channel="email",
            recipient=f"ops@{tag}.example",
            subject=f"{tag} subject",
            text=f"{tag} text",
        ),
    ]
    for row in rows:
        world.objects[type(row)] = row
    return world


def brand_admin_b(tenant_b):
    return make_member(tenant_b, Role.BRAND_ADMIN, [], username="owner-b").user


def second_store_b(tenant_b) -> Store:
    return StoreFactory(tenant=tenant_b, name="Rival Outlet", code="rival-2")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def leaks(html: str, world_a: World) -> list[str]:
    """What of brand A ``html`` shows: marker texts and links to A's rows."""
    from django.urls import reverse

    text = html.lower()
    found = [marker for marker in A_MARKERS if marker in text]
    for model, obj in world_a.objects.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        if f'href="{url}"' in html:
            found.append(url)
    return found
