"""The issue's token takeover, end to end: brand B's admin against brand A's accounts and the operator.

API tokens are managed from the account list (issue / revoke actions on memberships); the key
is shown once, on the page that issues it, and masked everywhere afterwards.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from stores.models import Membership, Role
from tests.factories import make_member
from tests.security.console_world import brand_admin_b, logged_in

MEMBERSHIPS = "/admin/stores/membership/"


@pytest.fixture
def token_a(sender_a):
    return Token.objects.create(user=sender_a)


@pytest.fixture
def client_b(tenant_b, store_b, sender_b):
    return logged_in(brand_admin_b(tenant_b))


def action(client, name: str, *memberships: Membership):
    return client.post(MEMBERSHIPS, {"action": name, "_selected_action": [m.pk for m in memberships]})


def issued_key(response) -> str:
    keys = re.findall(r'value="([0-9a-f]{40})"', response.content.decode())
    assert len(keys) == 1, keys
    return keys[0]


def stores_seen_with(key: str) -> list[str]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/stores/")
    assert response.status_code == 200, response.content
    return [store["code"] for store in response.json()["results"]]


def test_brand_b_cannot_see_a_key_of_brand_a(client_b, token_a):
    for path in ("/admin/authtoken/tokenproxy/", f"/admin/authtoken/tokenproxy/{token_a.user_id}/change/"):
        assert client_b.get(path).status_code == 404
    assert client_b.get("/operator/authtoken/tokenproxy/").status_code == 302
    assert not client_b.get(MEMBERSHIPS, {"q": token_a.key}).context["cl"].result_count  # no search by key
    for path in ("/admin/", MEMBERSHIPS):
        page = client_b.get(path)
        assert page.status_code == 200
        assert token_a.key not in page.content.decode()
        assert token_a.key[:4] + "…" not in page.content.decode()


def test_brand_b_cannot_delete_or_replace_brand_a_tokens(client_b, token_a, sender_a):
    victim = Membership.objects.get(user=sender_a)
    for name in ("revoke_tokens", "issue_tokens", "delete_selected"):
        response = action(client_b, name, victim)
        assert response.status_code in (200, 302)
        assert token_a.key not in response.content.decode()
    assert Token.objects.get(user=sender_a).key == token_a.key
    assert client_b.post(f"/operator/authtoken/tokenproxy/{sender_a.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Token.objects.filter(key=token_a.key).exists()


def test_brand_b_cannot_mint_a_token_for_the_operator_or_brand_a(client_b, operator, tenant_b, sender_a, viewer_a):
    # Even an operator who also holds a membership of brand B is out of B's admin's reach.
    make_member(tenant_b, Role.SENDER, [], username="member-op")
    op_member = Membership.objects.get(user__username="member-op")
    op_member.user.is_superuser = op_member.user.is_staff = True
    op_member.user.save()
    targets = [op_member, *Membership.objects.filter(user__in=[sender_a, viewer_a])]

    response = action(client_b, "issue_tokens", *targets)
    assert response.status_code == 302  # "no items selected": none of them is in B's list
    assert client_b.get(f"{MEMBERSHIPS}{op_member.pk}/change/").status_code == 404
    minted = client_b.post("/operator/authtoken/tokenproxy/add/", {"user": operator.pk})
    assert minted.status_code == 302 and minted["Location"].startswith("/operator/login/")
    assert not Token.objects.filter(user__in=[operator, op_member.user, sender_a, viewer_a]).exists()


def test_own_sender_token_is_shown_once_then_masked(client_b, sender_b, store_b):
    own = Membership.objects.get(user=sender_b)

    response = action(client_b, "issue_tokens", own)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = issued_key(response)
    assert Token.objects.get(user=sender_b).key == key
    assert stores_seen_with(key) == [store_b.code]
    for path in ("/admin/", MEMBERSHIPS, f"{MEMBERSHIPS}{own.pk}/change/", f"{MEMBERSHIPS}{own.pk}/history/"):
        page = client_b.get(path).content.decode()
        assert key not in page, path
    assert f"{key[:4]}…" in client_b.get(MEMBERSHIPS).content.decode()
    assert not client_b.get(f"{MEMBERSHIPS}?q={key}").context["cl"].result_count

    again = action(client_b, "issue_tokens", own)
    new_key = issued_key(again)
    assert new_key != key and not Token.objects.filter(key=key).exists()

    revoked = action(client_b, "revoke_tokens", own)
    assert revoked.status_code == 302
    assert not Token.objects.filter(user=sender_b).exists()


def test_recent_actions_never_show_log_entries_outside_the_console(client_b, token_a):
    """An entry left by the old console (B deleting A's token: its repr is the key) stays hidden."""
    user_b = client_b.get("/admin/").context["user"]
    LogEntry.objects.log_actions(
        user_id=user_b.pk, queryset=[TokenProxy.objects.get(key=token_a.key)], action_flag=CHANGE, change_message=""
    )
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(TokenProxy, False)).exists()
    own = Membership.objects.get(user__username="rival-sender")
    action(client_b, "issue_tokens", own)

    index = client_b.get("/admin/").content.decode()

    assert token_a.key not in index
    assert "rival-sender" in index  # the console's own entry is listed
