"""Watch folders: nothing a tenant types reaches the server's filesystem (issue 13, item 2).

Brand B pointing its site at brand A's folder ingested A's files as B's and moved them away.
Now a brand admin cannot edit the folder at all (derived ``<VISITORSFLOW_ROOT>/<tenant>/<ssid>``),
and no site's folder may equal, lie inside or contain another's — symlinks followed.
"""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from visitorsflow.models import Site
from visitorsflow.watcher import Watcher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _root(settings, tmp_path):
    settings.VISITORSFLOW_ROOT = str(tmp_path / "vf-root")
    return tmp_path / "vf-root"


@pytest.fixture
def site_a(store_a):
    return Site.objects.create(store=store_a, ssid="SS-A")


def site_form(store, ssid: str, **extra) -> dict:
    data = {
        "store": store.pk,
        "ssid": ssid,
        "tag_count": 901,
        "tag_accu_in": 902,
        "tag_accu_out": 903,
        "export_url": "",
        "silence_minutes": 1,
        "telegram_recipients": "",
        "language": "en",
        "enabled": "on",
    }
    return {**data, **extra}


def brand_admin_b_client(store_b) -> Client:
    from stores.models import Role
    from tests.factories import make_member

    client = Client()
    client.force_login(make_member(store_b.tenant, Role.BRAND_ADMIN, [], username="owner-b").user)
    return client


def test_a_new_site_gets_the_derived_folder(site_a, store_a, _root):
    assert site_a.watch_dir == str(_root.resolve() / str(store_a.tenant_id) / "SS-A")


def test_brand_admin_cannot_point_a_site_at_another_brands_folder(site_a, store_b, _root):
    client = brand_admin_b_client(store_b)

    assert b'name="watch_dir"' not in client.get("/admin/visitorsflow/site/add/").content
    response = client.post("/admin/visitorsflow/site/add/", site_form(store_b, "SS-B", watch_dir=site_a.watch_dir))

    assert response.status_code == 302, response.content.decode()[:2000]
    site_b = Site.objects.get(ssid="SS-B")
    assert site_b.watch_dir == str(_root.resolve() / str(store_b.tenant_id) / "SS-B")  # the typed path was ignored


def test_brand_admin_cannot_change_an_existing_folder(store_b, _root, tmp_path):
    site_b = Site.objects.create(store=store_b, ssid="SS-B")
    client = brand_admin_b_client(store_b)

    change = client.get(f"/admin/visitorsflow/site/{site_b.pk}/change/").content.decode()
    client.post(f"/admin/visitorsflow/site/{site_b.pk}/change/", site_form(store_b, "SS-B", watch_dir=str(tmp_path)))

    assert 'name="watch_dir"' not in change
    site_b.refresh_from_db()
    assert site_b.watch_dir == str(_root.resolve() / str(store_b.tenant_id) / "SS-B")


def test_operator_may_choose_a_folder_but_not_an_overlapping_one(operator, store_a, store_b, tmp_path):
    site_a = Site.objects.create(store=store_a, ssid="SS-A", watch_dir=str(tmp_path / "shares" / "a"))
    client = Client()
    client.force_login(operator)
    own = tmp_path / "shares" / "b"

    inside = client.post("/admin/visitorsflow/site/add/", site_form(store_b, "SS-B", watch_dir=site_a.watch_dir + "/x"))
    ok = client.post("/admin/visitorsflow/site/add/", site_form(store_b, "SS-B", watch_dir=str(own)))

    assert inside.status_code == 200
    errors = inside.context["adminform"].form.errors
    assert errors == {
        "__all__": ["Watch folder: it overlaps another site's watch folder (equal, inside or containing it)."]
    }
    assert ok.status_code == 302
    assert Site.objects.get(ssid="SS-B").watch_dir == str(own)


@pytest.mark.parametrize("relation", ["equal", "inside", "containing", "symlink", "symlink-inside"])
def test_overlapping_folders_are_refused(store_a, store_b, tmp_path, relation):
    a = tmp_path / "shares" / "a"
    a.mkdir(parents=True)
    Site.objects.create(store=store_a, ssid="SS-A", watch_dir=str(a))
    link = tmp_path / "innocent-looking"
    if relation.startswith("symlink"):
        link.symlink_to(a, target_is_directory=True)
    path = {
        "equal": a,
        "inside": a / "processed",
        "containing": tmp_path / "shares",
        "symlink": link,
        "symlink-inside": link / "sub",
    }[relation]

    site = Site(store=store_b, ssid="SS-B", watch_dir=str(path))
    with pytest.raises(ValidationError, match="overlaps another site's watch folder"):
        site.full_clean()


def test_root_and_other_tenants_part_of_it_are_refused(store_a, store_b, _root):
    for path, message in [
        (_root, "contains the VisitorsFlow root"),
        (_root.parent, "contains the VisitorsFlow root"),
        (_root / str(store_a.tenant_id) / "mine-now", "must be inside"),
        ("relative/path", "is not an absolute path"),
    ]:
        with pytest.raises(ValidationError, match=message):
            Site(store=store_b, ssid="SS-B", watch_dir=str(path)).full_clean()


def test_ssid_cannot_climb_out_of_the_tenant_folder(store_b):
    with pytest.raises(ValidationError) as caught:
        Site(store=store_b, ssid="../1/SS-A").full_clean()
    assert "ssid" in caught.value.message_dict


def test_add_site_refuses_an_overlapping_folder_and_defaults_to_the_derived_one(store_a, store_b, _root, tmp_path):
    site_a = Site.objects.create(store=store_a, ssid="SS-A", watch_dir=str(tmp_path / "shares" / "a"))
    with pytest.raises(CommandError, match="--watch-dir: Watch folder: it overlaps another site's watch folder"):
        call_command(
            "visitorsflow", "add-site", "--store-id", str(store_b.pk), "--ssid", "SS-B", "--watch-dir", site_a.watch_dir
        )
    with pytest.raises(CommandError, match="must be inside"):  # A's part of the root is not B's
        call_command(
            "visitorsflow", "add-site", "--store-id", str(store_b.pk), "--ssid", "SS-B",
            "--watch-dir", str(_root / str(store_a.tenant_id) / "SS-A"),
        )  # fmt: skip
    call_command("visitorsflow", "add-site", "--store-id", str(store_b.pk), "--ssid", "SS-B", stdout=StringIO())

    derived = _root.resolve() / str(store_b.tenant_id) / "SS-B"
    assert Site.objects.get(ssid="SS-B").watch_dir == str(derived)
    assert (derived / "processed").is_dir() and (derived / "failed").is_dir()


def test_watcher_never_watches_overlapping_folders_whatever_the_database_holds(site_a, store_b, tmp_path):
    # A row written around the model (an old release, a raw UPDATE): the watcher checks again.
    Site.objects.create(store=store_b, ssid="SS-B", watch_dir=str(tmp_path / "elsewhere"))
    Site.objects.filter(ssid="SS-B").update(watch_dir=site_a.watch_dir)

    watcher = Watcher(polling=True)
    watcher.tick(force=True)

    assert watcher.sites == {}
    assert set(watcher.refused) == {site_a.pk, Site.objects.get(ssid="SS-B").pk}


def test_watcher_creates_a_derived_folder(site_a):
    watcher = Watcher(polling=True)
    watcher.tick(force=True)

    assert (site_a.folder() / "failed").is_dir()
    assert set(watcher.sites) == {site_a.pk}


def test_migration_keeps_folders_and_disables_the_later_overlapping_site(store_a, store_b, tmp_path, capsys):
    shared = tmp_path / "a"
    first = Site.objects.create(store=store_a, ssid="SS-A", watch_dir=str(shared))
    hijack = Site.objects.create(store=store_b, ssid="SS-B", watch_dir=str(tmp_path / "b"))
    own = Site.objects.create(store=store_b, ssid="SS-C", watch_dir=str(tmp_path / "c"))
    Site.objects.filter(pk=hijack.pk).update(watch_dir=str(shared / "."))  # the old console allowed this
    migration = importlib.import_module("visitorsflow.migrations.0002_outbound_urls_and_watch_folders")

    migration.disable_overlapping_sites(apps, None)

    rows = {s.ssid: (s.enabled, s.watch_dir) for s in Site.objects.all()}
    assert rows == {
        "SS-A": (True, first.watch_dir),
        "SS-B": (False, str(shared / ".")),
        "SS-C": (True, own.watch_dir),
    }
    assert "site SS-B disabled" in capsys.readouterr().out
