"""Accounts in the console: a brand admin manages its tenant's senders and viewers and nobody else;
it can never make staff or superusers, hand out groups or permissions, or touch another login."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from stores.models import Membership, Role
from tests.factories import PASSWORD, make_member
from tests.security.console_world import logged_in

MEMBERSHIPS = "/admin/stores/membership/"
User = get_user_model()


@pytest.fixture
def client_a(brand_admin_a):
    return logged_in(brand_admin_a)


@pytest.fixture
def peer_admin(tenant_a):
    """Another brand admin of the same brand."""
    return make_member(tenant_a, Role.BRAND_ADMIN, [], username="owner-a2")


@pytest.fixture
def operator_member(tenant_a, store_a):
    """A superuser who also holds a sender membership of brand A."""
    membership = make_member(tenant_a, Role.SENDER, [store_a], username="op-member")
    membership.user.is_superuser = membership.user.is_staff = True
    membership.user.save()
    return membership


def account(username: str, tenant, store, **extra) -> dict:
    return {"username": username, "password": "a-long-pass-1", "tenant": tenant.pk, "role": Role.SENDER,
            "stores": [store.pk], **extra}  # fmt: skip


def test_created_account_is_never_staff_and_gets_no_groups_or_permissions(client_a, tenant_a, store_a):
    group = Group.objects.create(name="everything")
    permission = Permission.objects.get(codename="change_user")
    response = client_a.post(
        f"{MEMBERSHIPS}add/",
        account(
            "kasa-2",
            tenant_a,
            store_a,
            is_staff="on",
            is_superuser="on",
            groups=[group.pk],
            user_permissions=[permission.pk],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    user = User.objects.get(username="kasa-2")
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists() and not user.user_permissions.exists()


@pytest.mark.parametrize("role", [Role.BRAND_ADMIN, "superuser", ""])
def test_brand_admin_cannot_grant_other_roles(client_a, tenant_a, store_a, role):
    response = client_a.post(f"{MEMBERSHIPS}add/", account("boss", tenant_a, store_a, role=role))
    assert response.status_code == 200
    assert not User.objects.filter(username="boss").exists()


def test_weak_password_is_refused(client_a, tenant_a, store_a):
    response = client_a.post(f"{MEMBERSHIPS}add/", account("kasa-3", tenant_a, store_a, password="kasa"))
    assert response.status_code == 200 and "too short" in response.content.decode()
    assert not User.objects.filter(username="kasa-3").exists()


def test_staff_superusers_and_fellow_admins_are_out_of_reach(client_a, brand_admin_a, peer_admin, operator_member):
    listed = {row.user.username for row in client_a.get(MEMBERSHIPS).context["cl"].result_list}
    assert listed == set()  # brand A's senders and viewers would be here; these three are not
    for membership in (peer_admin, operator_member, brand_admin_a.membership):
        for view in ("change", "delete", "history"):
            assert client_a.get(f"{MEMBERSHIPS}{membership.pk}/{view}/").status_code == 404
        post = client_a.post(
            f"{MEMBERSHIPS}{membership.pk}/change/",
            {"tenant": membership.tenant_id, "role": Role.SENDER, "password": "taken-over-1", "stores": []},
        )
        assert post.status_code == 404
        membership.user.refresh_from_db()
        assert membership.user.check_password(PASSWORD)
    bulk = client_a.post(
        MEMBERSHIPS,
        {"action": "delete_selected", "post": "yes", "_selected_action": [peer_admin.pk, operator_member.pk]},
    )
    assert bulk.status_code == 302
    assert User.objects.filter(username__in=["owner-a2", "op-member"]).count() == 2
    peer_admin.refresh_from_db()
    assert peer_admin.role == Role.BRAND_ADMIN


def test_brand_admin_edits_own_sender_within_its_tenant_only(client_a, sender_a, tenant_a, tenant_b, store_a, store_b):
    membership = sender_a.membership
    change = f"{MEMBERSHIPS}{membership.pk}/change/"
    for data in (
        {"tenant": tenant_b.pk, "role": Role.SENDER, "stores": [store_a.pk]},
        {"tenant": tenant_a.pk, "role": Role.SENDER, "stores": [store_b.pk]},
        {"tenant": tenant_a.pk, "role": Role.BRAND_ADMIN, "stores": [store_a.pk]},
    ):
        assert client_a.post(change, {"password": "", **data}).status_code == 200
    membership.refresh_from_db()
    sender_a.refresh_from_db()
    assert (membership.tenant_id, membership.role, sender_a.is_staff) == (tenant_a.pk, Role.SENDER, False)

    ok = client_a.post(change, {"tenant": tenant_a.pk, "role": Role.VIEWER, "stores": [store_a.pk], "password": ""})
    assert ok.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_deleting_an_account_deletes_the_login_and_confirms_without_the_key(client_a, sender_a):
    token = Token.objects.create(user=sender_a)
    delete = f"{MEMBERSHIPS}{sender_a.membership.pk}/delete/"

    confirmation = client_a.get(delete).content.decode()

    assert "Account boyner" in confirmation and token.key not in confirmation
    assert client_a.post(delete, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=sender_a.pk).exists()
    assert not Token.objects.filter(key=token.key).exists()


def test_bulk_delete_takes_only_own_accounts(client_a, sender_a, viewer_a, sender_b):
    chosen = [sender_a.membership.pk, viewer_a.membership.pk, Membership.objects.get(user=sender_b).pk]

    confirmation = client_a.post(MEMBERSHIPS, {"action": "delete_selected", "_selected_action": chosen})
    assert "rival-sender" not in confirmation.content.decode()
    client_a.post(MEMBERSHIPS, {"action": "delete_selected", "_selected_action": chosen, "post": "yes"})

    assert set(User.objects.values_list("username", flat=True)) >= {"rival-sender", "owner-a"}
    assert not User.objects.filter(username__in=["boyner", "viewer-a"]).exists()
