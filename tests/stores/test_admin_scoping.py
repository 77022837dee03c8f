"""The Django admin as the operator console: brand admins see and edit only their tenant."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from analytics.models import HourlyCustomers, StoreDay
from stores.models import Camera, Membership, Role, Store


@pytest.fixture
def admin_client_a(brand_admin_a) -> Client:
    client = Client()
    client.force_login(brand_admin_a)
    return client


@pytest.fixture
def foreign_camera(store_b):
    return Camera.objects.create(store=store_b, name="Rival cam", type="heatmap", rtsp_url="rtsp://u:rivalpass@h/1")


def test_store_list_shows_only_own_tenant(admin_client_a, store_a, store_a2, store_b):
    response = admin_client_a.get("/admin/stores/store/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "boyner-avm" in text and "boyner-ankara" in text
    assert "rival-1" not in text and "Rival Store" not in text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/stores/store/{store_b.pk}/change/",
        "/admin/stores/tenant/{store_b.tenant_id}/change/",
        "/admin/stores/camera/{camera.pk}/change/",
        "/admin/stores/membership/{membership.pk}/change/",
    ],
)
def test_foreign_objects_are_404(admin_client_a, store_b, foreign_camera, sender_b, url):
    membership = Membership.objects.get(user=sender_b)
    response = admin_client_a.get(url.format(store_b=store_b, camera=foreign_camera, membership=membership))
    assert response.status_code == 404
    assert "Rival" not in response.content.decode()


def test_foreign_store_cannot_be_deleted(admin_client_a, store_b):
    response = admin_client_a.post(f"/admin/stores/store/{store_b.pk}/delete/", {"post": "yes"})
    assert response.status_code == 404
    assert Store.objects.filter(pk=store_b.pk).exists()


def test_ingest_url_is_readable(admin_client_a, store_a):
    text = admin_client_a.get(f"/admin/stores/store/{store_a.pk}/change/").content.decode()
    assert f"http://testserver/api/devices/xml/{store_a.ingest_key}/" in text


def test_rtsp_password_is_never_shown(admin_client_a, store_a):
    camera = Camera.objects.create(
        store=store_a, name="Giriş", type="people_count", rtsp_url="rtsp://admin:TopSecret@10.0.0.2/s1"
    )
    for url in (
        "/admin/stores/camera/",
        f"/admin/stores/camera/{camera.pk}/change/",
        f"/admin/stores/store/{store_a.pk}/change/",
    ):
        text = admin_client_a.get(url).content.decode()
        assert "TopSecret" not in text
    assert "rtsp://admin:***@10.0.0.2/s1" in admin_client_a.get("/admin/stores/camera/").content.decode()


def test_camera_and_analytics_lists_are_scoped(admin_client_a, store_a, store_b, foreign_camera):
    from datetime import UTC, datetime

    HourlyCustomers.objects.create(store=store_b, hour=datetime(2026, 2, 16, 10, tzinfo=UTC), entered=777)
    HourlyCustomers.objects.create(store=store_a, hour=datetime(2026, 2, 16, 10, tzinfo=UTC), entered=555)
    assert "Rival cam" not in admin_client_a.get("/admin/stores/camera/").content.decode()
    text = admin_client_a.get("/admin/analytics/hourlycustomers/").content.decode()
    assert "555" in text and "777" not in text
    # The business-day rollup the saves above kept current: listed read-only, scoped the same way.
    text = admin_client_a.get("/admin/analytics/storeday/").content.decode()
    assert "555" in text and "777" not in text
    foreign_day = StoreDay.objects.get(store=store_b)
    assert admin_client_a.get(f"/admin/analytics/storeday/{foreign_day.pk}/change/").status_code == 404


def test_brand_admin_creates_sender_account_for_a_store(admin_client_a, tenant_a, store_a, api):
    response = admin_client_a.post(
        "/admin/stores/membership/add/",
        {
            "username": "kasa-pc",
            "password": "kasa-pass-1",
            "tenant": tenant_a.pk,
            "role": Role.SENDER,
            "stores": [store_a.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="kasa-pc")
    assert user.membership.role == Role.SENDER
    assert list(user.membership.stores.all()) == [store_a]
    assert api(user, password="kasa-pass-1").post("/api/health/heartbeat").status_code == 200


def test_brand_admin_cannot_bind_foreign_store_or_tenant(admin_client_a, tenant_a, tenant_b, store_b):
    response = admin_client_a.post(
        "/admin/stores/membership/add/",
        {
            "username": "spy",
            "password": "spy-pass-1",
            "tenant": tenant_b.pk,
            "role": Role.SENDER,
            "stores": [store_b.pk],
        },
    )
    assert response.status_code == 200  # the form is shown again with errors
    assert "Select a valid choice" in response.content.decode()
    assert not get_user_model().objects.filter(username="spy").exists()


def test_brand_admin_cannot_promote_to_brand_admin(admin_client_a, tenant_a, store_a):
    response = admin_client_a.post(
        "/admin/stores/membership/add/",
        {"username": "boss", "password": "boss-pass-1", "tenant": tenant_a.pk, "role": Role.BRAND_ADMIN, "stores": []},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="boss").exists()


def test_brand_admin_has_no_user_admin(admin_client_a):
    # The console has no user admin at all; the operators' site (which has one) refuses brand admins.
    assert admin_client_a.get("/admin/auth/user/").status_code == 404
    response = admin_client_a.get("/operator/auth/user/")
    assert response.status_code == 302 and response["Location"].startswith("/operator/login/")


def test_store_form_offers_only_own_tenant(admin_client_a, tenant_a, tenant_b):
    text = admin_client_a.get("/admin/stores/store/add/").content.decode()
    assert "Boyner" in text and "Rival Brand" not in text


def test_viewer_and_sender_have_no_console(store_a, viewer_a, sender_a):
    for user in (viewer_a, sender_a):
        client = Client()
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_operator_sees_all_tenants(store_a, store_b, operator):
    client = Client()
    client.force_login(operator)
    text = client.get("/admin/stores/store/").content.decode()
    assert "boyner-avm" in text and "rival-1" in text
