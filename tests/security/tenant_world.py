"""Two tenants with every role and real objects, and a snapshot of everything tenant A owns.

Used by the route-table tests: tenant A holds a store with data from each source, a rig with
cameras and a capture session; tenant B holds a store and a sender, a viewer and a brand admin
whose password differs from A's (so "B typed A's username" is a real attempt, not a shortcut).
"""

from __future__ import annotations

import base64
import io
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from PIL import Image

from pantilt.models import CaptureSession, Rig
from stores.models import Role, Store, Tenant
from tests.devices.conftest import sample
from tests.factories import PASSWORD, StoreFactory, TenantFactory, UserFactory, make_member
from tests.pantilt.conftest import DEVICE, RGB, SWIR, seed_body
from tests.pantilt.factories import RigCameraFactory, RigFactory

B_PASSWORD = "rival-pass-77"
PROJECT_APPS = ("stores", "analytics", "devices", "pantilt", "visitorsflow")
# Rows that belong to no tenant (the platform's own Telegram login).
GLOBAL_MODELS = {"visitorsflow.telegramsession"}


# What a never-existing object is called in the no-oracle comparisons.
def _png_1px() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG_1PX = _png_1px()  # A's camera snapshot, served only through the checked media view

FAKE = {
    "store_id": 987654,
    "rig_id": 987655,
    "session_id": 987656,
    "store_code": "no-such-store",
    "device": "no-such-rig",
    "media_path": "snapshots/store-987654/camera-987654.png",
}


@dataclass
class World:
    tenant_a: Tenant
    store_a: Store
    rig_a: Rig
    session_a: CaptureSession
    users: dict[str, Any]  # "a:sender", "b:viewer", "a:operator"… → user (None for anonymous)
    tenant_b: Tenant
    store_b: Store
    clients: dict[str, Client] = field(default_factory=dict)
    media_path: str = ""  # A's camera snapshot, relative to MEDIA_ROOT

    def names(self, real: bool = True) -> dict[str, Any]:
        """What URLs and bodies put in place of A's objects (``real=False``: objects that never existed)."""
        if not real:
            return dict(FAKE, ingest_key=forged_key(self.store_a.ingest_key), uid=uid_of(987657))
        return {
            "store_id": self.store_a.pk,
            "rig_id": self.rig_a.pk,
            "session_id": self.session_a.pk,
            "store_code": self.store_a.code,
            "device": self.rig_a.device_id,
            "ingest_key": self.store_a.ingest_key,
            "uid": uid_of(self.users["a:sender"].pk),
            "media_path": self.media_path,
        }

    def markers(self) -> list[str]:
        """Strings of A that must never appear in an answer to B (B never typed them)."""
        return [self.store_a.name, self.store_a.ingest_key, self.tenant_a.name, self.users["a:viewer"].username]

    def client(self, actor: str) -> Client:
        """A client logged in as ``actor`` (session for pages, HTTP Basic for the API)."""
        if actor not in self.clients:
            client = Client()
            user = self.users.get(actor)
            if user is not None:
                client.force_login(user)
                password = B_PASSWORD if actor.startswith("b:") else PASSWORD
                token = base64.b64encode(f"{user.username}:{password}".encode()).decode()
                client.defaults["HTTP_AUTHORIZATION"] = f"Basic {token}"
            self.clients[actor] = client
        return self.clients[actor]


def uid_of(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def forged_key(key: str) -> str:
    """A's key with its last characters changed: what a guessing attacker would send."""
    return key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")


def build_world() -> World:
    tenant_a = TenantFactory(name="Boyner")
    store_a = StoreFactory(tenant=tenant_a, name="AVM İstanbul", code="boyner-avm")
    tenant_b = TenantFactory(name="Rival Brand")
    store_b = StoreFactory(tenant=tenant_b, name="Rival Store", code="rival-1", timezone="America/New_York")
    users: dict[str, Any] = {"a:anonymous": None}
    for role, name in ((Role.SENDER, "sender"), (Role.VIEWER, "viewer"), (Role.BRAND_ADMIN, "brand_admin")):
        stores = [] if role == Role.BRAND_ADMIN else [store_a]
        users[f"a:{name}"] = make_member(tenant_a, role, stores, username=f"a-{name}").user
        b_user = make_member(tenant_b, role, [] if role == Role.BRAND_ADMIN else [store_b], username=f"b-{name}").user
        b_user.set_password(B_PASSWORD)
        b_user.save()
        users[f"b:{name}"] = b_user
    users["a:operator"] = UserFactory(username="platform-operator", is_staff=True, is_superuser=True)
    for user in users.values():
        if user is not None:
            user.email = f"{user.username}@example.com"
            user.save(update_fields=["email"])
    rig_a = RigFactory(tenant=tenant_a, device_id=DEVICE)
    RigCameraFactory(rig=rig_a, camera_id=SWIR, kind="swir")
    RigCameraFactory(rig=rig_a, camera_id=RGB, kind="rgb")
    session_a = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body())
    world = World(tenant_a, store_a, rig_a, session_a, users, tenant_b, store_b)
    for actor in users:
        world.client(actor)  # logged in now: a login later would change last_login inside a snapshot
    fill_store(world)
    camera = store_a.cameras.get()
    camera.snapshot.save(f"store-{store_a.pk}/camera-{camera.pk}.png", ContentFile(PNG_1PX), save=True)
    world.media_path = camera.snapshot.name
    return world


def fill_store(world: World) -> None:
    """Data of every source in A's store, sent the way the sources send it."""
    sender = world.client("a:sender")
    code = world.store_a.code
    posts = [
        ("/api/health/heartbeat", {"store": code}),
        ("/api/analytics/customers", {"store": code, "timestamp": "2026-11-30T10:00", "entered": 9, "exited": 4}),
        ("/api/analytics/heatmaps", {"store": code, "zone": "Giriş", "visitor_count": 5, "intensity": 0.5}),
        ("/api/analytics/queues", {"store": code, "cashier_id": "K1", "total_customers": 2, "wait_time": 30}),
        (
            "/api/settings/setup",
            {"store": code, "site_name": "AVM", "cameras": [{"name": "Kapı", "type": "queue", "rtsp": "rtsp://h/s"}]},
        ),
    ]
    for url, body in posts:
        response = sender.post(url, body, content_type="application/json")
        assert response.status_code in (200, 201), (url, response.content)
    response = Client().post(world.store_a.ingest_path, sample("metrics"), content_type="application/xml")
    assert response.status_code == 200, response.content


def tenant_lookup(model: type[models.Model]) -> str | None:
    """The ORM path from ``model`` to its tenant (``"store__tenant"``…), found by following foreign keys."""
    if model is Tenant:
        return "pk"
    user_model = get_user_model()
    if model is user_model:
        return "membership__tenant"
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    while queue:
        current, path, depth = queue.popleft()
        for fk in current._meta.get_fields():
            if not (fk.many_to_one or fk.one_to_one) or not fk.concrete or fk.related_model is None:
                continue
            lookup = f"{path}__{fk.name}" if path else fk.name
            if fk.related_model is Tenant:
                return lookup
            if fk.related_model is user_model:
                return f"{lookup}__membership__tenant" if depth < 3 else None
            if depth < 3:
                queue.append((fk.related_model, lookup, depth + 1))
    return None


def owned_models() -> list[type[models.Model]]:
    """Every model of the project apps, the users and their API tokens."""
    from rest_framework.authtoken.models import Token

    found = [get_user_model(), Token]
    for label in PROJECT_APPS:
        found += [m for m in apps.get_app_config(label).get_models() if m._meta.label_lower not in GLOBAL_MODELS]
    return found


def snapshot(tenant: Tenant) -> dict[str, list[dict]]:
    """Every row the tenant owns, every column: equal before and after means nothing changed."""
    rows = {}
    for model in owned_models():
        lookup = tenant_lookup(model)
        assert lookup is not None, f"{model._meta.label} has no path to a tenant: add it to GLOBAL_MODELS or fix"
        queryset = model._default_manager.filter(**{lookup: tenant.pk}).order_by("pk")
        rows[model._meta.label] = list(queryset.values())
    return rows
