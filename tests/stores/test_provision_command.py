"""manage.py provision (SPEC §2): idempotent, JSON on stdout."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from stores.models import Membership, Store, Tenant


def provision(*args: str) -> dict:
    out = io.StringIO()
    call_command("provision", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_creates_everything_and_prints_json():
    result = provision("--tenant", "Boyner", "--store", "AVM İstanbul", "--username", "boyner", "--password", "boyner")
    store = Store.objects.get()
    assert result == {
        "tenant_id": Tenant.objects.get().pk,
        "tenant": "Boyner",
        "store_id": store.pk,
        "store_code": "boyner-avm-istanbul",
        "ingest_key": store.ingest_key,
        "ingest_url": f"/api/devices/xml/{store.ingest_key}/",
        "username": "boyner",
    }
    assert store.timezone == "Europe/Istanbul"
    membership = Membership.objects.get()
    assert (membership.user.username, membership.role, list(membership.stores.all())) == ("boyner", "sender", [store])
    assert membership.user.check_password("boyner")


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    args = (
        "--tenant",
        "Boyner",
        "--store",
        "AVM",
        "--store-code",
        "avm",
        "--timezone",
        "Asia/Shanghai",
        "--username",
        "u1",
        "--password",
        "p1",
    )
    first = provision(*args)
    second = provision(*args)
    assert first == second
    assert (Tenant.objects.count(), Store.objects.count(), Membership.objects.count()) == (1, 1, 1)
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_brand_admin_role_gets_console_access():
    provision(
        "--tenant", "Boyner", "--store", "AVM", "--username", "owner", "--password", "pw", "--role", "brand_admin"
    )
    user = get_user_model().objects.get(username="owner")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("stores.view_store") and user.has_perm("stores.add_membership")
    assert not user.has_perm("stores.change_tenant")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tenant", "B", "--store", "S", "--timezone", "Mars/Olympus"), "time zone"),
        (("--tenant", "B", "--store", "S", "--username", "newbie"), "needs --password"),
        (("--tenant", "B", "--store", "S", "--password", "x"), "--password needs --username"),
    ],
)
def test_bad_arguments_are_clear_errors(args, message):
    with pytest.raises(CommandError, match=message):
        provision(*args)
    assert not Store.objects.exists()


@pytest.mark.django_db
def test_user_of_another_tenant_is_not_moved():
    provision("--tenant", "A", "--store", "S", "--username", "shared", "--password", "pw")
    with pytest.raises(CommandError, match="another tenant"):
        provision("--tenant", "B", "--store", "S", "--username", "shared", "--password", "pw")
    assert Membership.objects.get().tenant.name == "A"
    assert not Tenant.objects.filter(name="B").exists()


@pytest.mark.django_db
def test_store_code_conflict_is_refused():
    provision("--tenant", "A", "--store", "S1", "--store-code", "same")
    with pytest.raises(CommandError, match="already used"):
        provision("--tenant", "B", "--store", "S2", "--store-code", "same")
