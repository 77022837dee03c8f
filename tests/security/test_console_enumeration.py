"""Every model admin of the brand console, walked from its registry, tried by brand B against brand A.

A new admin registered on the console is picked up here by itself; it fails until the world
(``console_world.build``) holds a row of its model, so nothing is registered untested.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.forms.models import model_to_dict

from tests.security.console_world import brand_admin_b, build, leaks, logged_in, second_store_b
from vislivis.console import brand_site

REGISTERED = sorted(brand_site._registry, key=lambda model: model._meta.label)


def url(model: type[Model], view: str, obj: Model | None = None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return base if view == "changelist" else base + (f"{obj.pk}/{view}/" if obj is not None else f"{view}/")


@pytest.fixture
def worlds(tmp_path, tenant_a, store_a, sender_a, brand_admin_a, viewer_a, tenant_b, store_b, sender_b):
    world_a = build(tenant_a, store_a, sender_a, "boyner", str(tmp_path / "a"))
    second_store_b(tenant_b)
    world_b = build(tenant_b, store_b, sender_b, "rival", str(tmp_path / "b"))
    return world_a, world_b


@pytest.fixture
def client_b(tenant_b):
    return logged_in(brand_admin_b(tenant_b))


def snapshot(obj: Model) -> dict:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    assert fresh is not None, f"{obj!r} was deleted"
    return model_to_dict(fresh)


def test_every_registered_model_is_in_the_world(worlds):
    world_a, _ = worlds
    missing = [model._meta.label for model in REGISTERED if model not in world_a.objects]
    assert not missing, f"add a row of these to tests/security/console_world.build: {missing}"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_model_admin_shows_and_touches_nothing_of_the_other_brand(worlds, client_b, model):
    """Changelist (with its filter sidebar), add form, change/delete/history of A's row, bulk delete."""
    world_a, world_b = worlds
    victim = world_a[model]
    before = snapshot(victim)

    listing = client_b.get(url(model, "changelist"))
    assert listing.status_code in (200, 403)
    if listing.status_code == 200:
        html = listing.content.decode()
        assert not leaks(html, world_a)
        # Not empty for the wrong reason: B's own row is listed.
        assert f'href="{url(model, "change", world_b[model])}' in html

    add = client_b.get(url(model, "add"))
    assert add.status_code in (200, 403)
    if add.status_code == 200:
        assert not leaks(add.content.decode(), world_a)

    for view in ("change", "delete", "history"):
        assert client_b.get(url(model, view, victim)).status_code == 404, view
    assert client_b.post(url(model, "change", victim), {"name": "taken", "_save": "Save"}).status_code == 404
    assert client_b.post(url(model, "delete", victim), {"post": "yes"}).status_code == 404
    bulk = {"action": "delete_selected", "_selected_action": [victim.pk], "post": "yes"}
    assert client_b.post(url(model, "changelist"), bulk).status_code in (200, 302, 403)
    assert snapshot(victim) == before


def test_every_related_filter_is_scoped_and_the_sidebars_name_only_own_objects(worlds, client_b, rf):
    """The issue's 14 sidebars: a relation in ``list_filter`` gets the tenant-scoped filter by itself."""
    from stores.admin_scoping import SCOPED_RELATED_FILTERS

    world_a, _ = worlds
    request = rf.get("/")
    request.user = get_user_model().objects.get(username="owner-b")
    related = 0
    for model, model_admin in brand_site._registry.items():
        for item in model_admin.get_list_filter(request):
            if isinstance(item, tuple) and issubclass(item[1], SCOPED_RELATED_FILTERS):
                related += 1
        html = client_b.get(url(model, "changelist")).content.decode()
        sidebar = re.search(r'<div id="changelist-filter".*?</nav>|<nav id="changelist-filter".*?</nav>', html, re.S)
        if sidebar:
            assert not leaks(sidebar.group(0), world_a), model._meta.label
    assert related >= 14
    camera_sidebar = client_b.get("/admin/stores/camera/").content.decode()
    assert "Rival Outlet" in camera_sidebar and "Rival Store" in camera_sidebar
    assert "AVM" not in camera_sidebar and "Ankara" not in camera_sidebar


def relation_fields():
    """Every (model, field) whose target the console registers with search fields: autocomplete sources."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and (field.many_to_one or field.many_to_many)):
                continue
            target_admin = brand_site._registry.get(field.related_model)
            if target_admin is not None and target_admin.search_fields:
                yield model, field


def owned_by(model: type[Model], tenant) -> set[str]:
    path = brand_site._registry[model].tenant_path
    return {str(pk) for pk in model._default_manager.filter(**{path: tenant.pk}).values_list("pk", flat=True)}


def test_autocomplete_returns_only_own_objects(worlds, client_b):
    world_a, world_b = worlds
    sources = list(relation_fields())
    assert sources, "no autocomplete source: the console lost every search_fields"
    for model, field in sources:
        target = field.related_model
        for term in ("", "boyner", "rival"):
            response = client_b.get(
                "/admin/autocomplete/",
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field.name,
                    "term": term,
                },
            )
            label = f"{model._meta.label}.{field.name} term={term!r}"
            assert response.status_code in (200, 403), label
            if response.status_code != 200:
                continue
            results = json.loads(response.content)["results"]
            ids = {result["id"] for result in results}
            assert not ids & owned_by(target, world_a.tenant), label
            assert not any("boyner" in result["text"].lower() for result in results), label
            if term == "":
                assert str(world_b[target].pk) in ids, label


def test_raw_id_widget_never_names_another_brands_object(worlds, client_b, rf):
    """A raw-id field re-shown with another brand's id typed in: no name printed beside it."""
    from django.contrib import admin as django_admin

    from stores.admin_scoping import TenantScopedAdmin
    from stores.models import Camera
    from vislivis.console import BrandConsoleSite

    world_a, world_b = worlds
    site = BrandConsoleSite(name="raw-id-probe")

    class RawIdCameraAdmin(TenantScopedAdmin):
        raw_id_fields = ["store"]
        fields = ["store", "name", "type"]

    site.register(Camera, RawIdCameraAdmin)
    request = rf.get("/")
    request.user = world_b.tenant.memberships.get(role="brand_admin").user
    form_class = site._registry[Camera].get_form(request)
    foreign = form_class(data={"store": world_a.store.pk, "name": "x", "type": "heatmap"})
    own = form_class(data={"store": world_b.store.pk, "name": "x", "type": "heatmap"})

    assert not foreign.is_valid() and "store" in foreign.errors
    assert "AVM" not in str(foreign["store"])
    assert "Rival Store" in str(own["store"])
    assert isinstance(site, django_admin.AdminSite)
