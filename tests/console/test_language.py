"""The brand console speaks the brand's language (Tenant.language) and is branded VISLIVIS (issue 18)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.text import capfirst

from devices.models import ReceivedDocument
from stores.models import Role, Tenant
from tests.factories import StoreFactory, TenantFactory, make_member
from tests.security.console_world import build
from vislivis.console import brand_site


def admin_of(tenant: Tenant) -> Client:
    client = Client()
    client.force_login(make_member(tenant, Role.BRAND_ADMIN, [], username=f"owner-{tenant.pk}").user)
    return client


def page(client: Client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.fixture
def turkish(db):
    tenant = TenantFactory(name="Koton", language="tr")
    store = StoreFactory(tenant=tenant, name="Kadıköy", code="koton-kadikoy")
    return tenant, store


@pytest.mark.django_db
def test_turkish_brand_admin_reads_turkish_names_and_the_vislivis_console(turkish):
    tenant, store = turkish
    client = admin_of(tenant)
    # The browser asks for English: the console still speaks the brand's language.
    index = page(client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="tr"' in index
    assert "Markalar ve mağazalar" in index and "Kişi sayım cihazları" in index
    assert "Kameralar" in index and "Alınan belgeler" in index
    assert "Brands and stores" not in index and "Received documents" not in index
    assert "VISLIVIS Konsolu" in index and title(index) == "Markanız | VISLIVIS Konsolu"
    assert "Django" not in index

    ReceivedDocument.objects.create(
        store=store, device_key="k1", body=b"<Metrics/>", size=10, received_at=timezone.now(), outcome="rejected"
    )
    changelist = page(client, "/admin/devices/receiveddocument/")
    assert "Alınma zamanı" in changelist and "Received at" not in changelist
    assert title(changelist) == "Göstermek için alınan belge seçin | VISLIVIS Konsolu"  # read-only
    assert "Django" not in changelist

    change = page(client, f"/admin/stores/store/{store.pk}/change/")
    assert "Saat dilimi" in change and "Açılış saati" in change
    assert "Doluluğun sıfırlandığı yerel saat." in change  # a help text
    assert "Cihaz veri alım adresi" in change  # an admin column's own description
    assert "Django" not in change


@pytest.mark.django_db
def test_english_brand_admin_reads_english_even_from_a_turkish_browser(tenant_a, store_a, brand_admin_a):
    client = Client()
    client.force_login(brand_admin_a)
    client.cookies["django_language"] = "tr"  # switched on the dashboards: the console keeps the brand's
    index = page(client, "/admin/", HTTP_ACCEPT_LANGUAGE="tr")
    assert '<html lang="en"' in index
    assert "Brands and stores" in index and "People-counting devices" in index and "Cameras" in index
    assert title(index) == "Your brand | VISLIVIS console" and "Django" not in index
    change = page(client, f"/admin/stores/store/{store_a.pk}/change/")
    assert "Timezone" in change and "Local hour at which occupancy resets." in change


@pytest.mark.django_db
def test_visitorsflow_brand_reads_traditional_chinese():
    tenant = TenantFactory(name="Taipei Flow", language="zh-hant")
    StoreFactory(tenant=tenant, name="信義", code="flow-xinyi", timezone="Asia/Taipei")
    client = admin_of(tenant)
    index = page(client, "/admin/", HTTP_ACCEPT_LANGUAGE="tr")
    assert '<html lang="zh-hant"' in index
    assert "品牌與門市" in index and "攝影機" in index and "場域" in index
    assert title(index) == "您的品牌 | VISLIVIS 管理後台" and "Django" not in index
    changelist = page(client, "/admin/visitorsflow/site/")
    assert title(changelist) == "選擇 場域 來修改 | VISLIVIS 管理後台"


@pytest.mark.django_db
def test_every_console_page_of_a_turkish_brand_renders_translated(tmp_path, turkish):
    """Each registered admin's list and change form: 200, Turkish, never Django's branding."""
    tenant, store = turkish
    sender = make_member(tenant, Role.SENDER, [store], username="koton-sender").user
    world = build(tenant, store, sender, "koton", str(tmp_path / "koton"))
    client = admin_of(tenant)
    for model in brand_site._registry:
        with translation.override("tr"):
            plural = capfirst(str(model._meta.verbose_name_plural))
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        changelist = page(client, base)
        assert plural in changelist, (base, plural)
        for html in (changelist, page(client, f"{base}{world[model].pk}/change/")):
            assert "VISLIVIS Konsolu" in html and "Django" not in html, base


@pytest.mark.django_db
def test_operator_site_keeps_the_browser_language_and_its_own_name(operator):
    client = Client()
    client.force_login(operator)
    english = page(client, "/operator/")
    assert "VISLIVIS operator" in english and "Django" not in english
    assert title(english) == "Platform administration (every brand) | VISLIVIS operator"
    turkish = page(client, "/operator/", HTTP_ACCEPT_LANGUAGE="tr")
    assert "VISLIVIS Operatör" in turkish and "Markalar ve mağazalar" in turkish
    assert page(client, "/operator/stores/store/")  # a changelist still renders
    # The brand console, entered by an operator (no brand), follows the browser too.
    assert "VISLIVIS Konsolu" in page(client, "/admin/", HTTP_ACCEPT_LANGUAGE="tr")


@pytest.mark.django_db
def test_dashboards_default_to_the_brand_language_and_the_switch_wins(turkish):
    tenant, store = turkish
    viewer = make_member(tenant, Role.VIEWER, [store], username="koton-viewer").user
    client = Client()
    client.force_login(viewer)
    assert '<html lang="tr">' in page(client, "/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in page(client, "/dashboard/", HTTP_ACCEPT_LANGUAGE="tr")


@pytest.mark.django_db
def test_forbidden_page_speaks_the_brand_language(turkish):
    tenant, store = turkish
    viewer = make_member(tenant, Role.VIEWER, [store], username="koton-viewer").user
    client = Client()
    client.force_login(viewer)
    response = client.get("/dashboard/brand/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Bu sayfayı göremezsiniz" in html and "koton-viewer olarak oturum açıldı." in html


@pytest.mark.django_db
def test_console_login_page_is_branded_in_the_browser_language():
    client = Client()
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="tr")
    html = response.content.decode()
    assert response.status_code == 200
    assert title(html) == "Giriş yap | VISLIVIS Konsolu" and "Django" not in html
