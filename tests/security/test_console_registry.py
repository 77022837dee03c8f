"""The brand console is scoped by construction: its registry holds only tenant-scoped admins and
refuses anything else; the operators' site holds the rest and lets only superusers in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from stores.admin_scoping import TenantRelatedFieldListFilter, TenantScopedAdmin, TenantScopedInline, tenant_path_error
from stores.models import Camera, Store, Tenant
from tests.security.console_world import logged_in
from vislivis.console import BrandConsoleSite, OperatorAdminSite, brand_site


def test_every_admin_on_the_brand_console_is_tenant_scoped():
    assert brand_site._registry, "the console registers nothing"
    for model, model_admin in brand_site._registry.items():
        assert isinstance(model_admin, TenantScopedAdmin), model._meta.label
        assert tenant_path_error(model, model_admin.tenant_path) is None, model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, TenantScopedInline), f"{model._meta.label}: {inline.__name__}"


def test_nothing_of_auth_or_authtoken_or_the_telegram_login_is_on_the_console():
    labels = {model._meta.label for model in brand_site._registry}
    assert not labels & {"auth.User", "auth.Group", "authtoken.TokenProxy", "authtoken.Token"}
    assert "visitorsflow.TelegramSession" not in labels


def test_the_operators_site_is_the_default_site_and_keeps_everything():
    assert isinstance(admin.site, OperatorAdminSite)
    assert admin.site.name == "operator"
    for model in (get_user_model(), Group, TokenProxy, Store, Tenant):
        assert admin.site.is_registered(model), model._meta.label
    assert set(brand_site._registry) <= set(admin.site._registry)


@pytest.mark.parametrize(
    ("model", "admin_class"),
    [
        (Camera, admin.ModelAdmin),  # a plain admin
        (Camera, None),  # register(Model) gives a plain ModelAdmin
        (TokenProxy, TokenAdmin),  # the third-party admin from the issue
    ],
)
def test_the_console_refuses_unscoped_admins(model, admin_class):
    site = BrandConsoleSite(name="refusal-probe")
    with pytest.raises(ImproperlyConfigured, match="Refused on the brand console"):
        site.register(model, admin_class)
    assert not site._registry


def test_the_console_refuses_a_wrong_tenant_path_an_unscoped_inline_and_an_unscoped_filter():
    site = BrandConsoleSite(name="refusal-probe")

    class WrongPath(TenantScopedAdmin):
        tenant_path = "name"

    class PlainInline(admin.TabularInline):
        model = Camera

    class WithPlainInline(TenantScopedAdmin):
        tenant_path = "tenant"
        inlines = [PlainInline]

    class HomeMadeFilter(admin.RelatedFieldListFilter):
        pass

    class WithUnscopedFilter(TenantScopedAdmin):
        list_filter = [("store", HomeMadeFilter)]

    class WithOptions(TenantScopedAdmin):
        pass

    for model, admin_class in ((Camera, WrongPath), (Store, WithPlainInline), (Camera, WithUnscopedFilter)):
        with pytest.raises(ImproperlyConfigured):
            site.register(model, admin_class)
    with pytest.raises(ImproperlyConfigured):
        site.register(Camera, WithOptions, list_display=["name"])
    assert not site._registry

    class ScopedFilter(TenantRelatedFieldListFilter):
        pass

    class Fine(TenantScopedAdmin):
        list_filter = [("store", ScopedFilter), "type"]

    site.register(Camera, Fine)
    assert site.is_registered(Camera)


@pytest.mark.parametrize(
    "path",
    ["/admin/authtoken/tokenproxy/", "/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/1/password/"],
)
def test_brand_admin_finds_no_unscoped_page_on_the_console(brand_admin_a, path):
    assert logged_in(brand_admin_a).get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/operator/", "/operator/authtoken/tokenproxy/", "/operator/auth/user/", "/operator/stores/store/"],
)
def test_brand_admin_cannot_enter_the_operators_site(brand_admin_a, path):
    response = logged_in(brand_admin_a).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")


def test_operator_uses_both_sites_and_is_pointed_to_the_full_admin(operator, store_a, store_b):
    client = logged_in(operator)
    assert client.get("/operator/auth/user/").status_code == 200
    assert client.get("/operator/authtoken/tokenproxy/").status_code == 200
    index = client.get("/admin/").content.decode()
    assert 'href="/operator/"' in index
    listing = client.get("/operator/stores/store/").content.decode()
    assert "boyner-avm" in listing and "rival-1" in listing


def test_brand_admin_index_has_no_link_to_the_operators_site(brand_admin_a):
    page = logged_in(brand_admin_a).get("/admin/")
    assert page.status_code == 200
    assert "/operator/" not in page.content.decode()


@pytest.mark.parametrize("role", ["viewer_a", "sender_a"])
def test_viewer_and_sender_get_no_console_at_all(request, role):
    from tests.factories import PASSWORD

    user = request.getfixturevalue(role)
    client = logged_in(user)
    for path in ("/admin/", "/admin/stores/store/", "/operator/", "/operator/auth/user/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path
    # Nor can they log in there with their password.
    fresh = type(client)()
    page = fresh.post("/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"})
    assert page.status_code == 200
    assert "_auth_user_id" not in fresh.session


def test_view_on_site_answers_only_for_own_rows(brand_admin_a, store_a, store_b):
    from django.contrib.contenttypes.models import ContentType

    client = logged_in(brand_admin_a)
    store_type = ContentType.objects.get_for_model(Store).pk
    user_type = ContentType.objects.get_for_model(get_user_model()).pk
    assert client.get(f"/admin/r/{store_type}/{store_b.pk}/").status_code == 404
    assert client.get(f"/admin/r/{user_type}/{brand_admin_a.pk}/").status_code == 404
    assert client.get(f"/admin/r/{store_type}/nonsense/").status_code == 404
