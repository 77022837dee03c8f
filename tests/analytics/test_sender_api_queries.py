"""Sender requests: what they read before the write, and that tenant scoping holds on every path.

A sender request with a verified Basic credential or a token reads the account once (user and
membership in one query) and the target store once; the write itself is the feed service's.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from analytics.models import HourlyCustomers

URL = "/api/analytics/customers"
BODY = {"entered": 3, "exited": 1, "timestamp": "2026-02-16T14:00"}


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture(params=["basic", "token"])
def sender_client(request, api):
    """``sender_client(user)`` → a client authenticating the way the parameter says."""
    return (lambda user: api(user)) if request.param == "basic" else token_client


def reads(queries: CaptureQueriesContext) -> list[str]:
    """The account and store reads of a request (the feed write and its savepoints excluded)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and ("auth_user" in q["sql"] or "stores_store" in q["sql"])
    ]


def test_one_account_read_and_one_store_read(sender_client, sender_a, store_a):
    client = sender_client(sender_a)
    assert client.post(URL, BODY, format="json").status_code == 201  # the Basic credential is verified once
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {**BODY, "entered": 4}, format="json")
    assert response.status_code == 200
    account, store = reads(queries)
    assert "stores_membership" in account  # the membership comes with the user
    assert "stores_tenant" not in store  # no join to sort one or two rows
    assert HourlyCustomers.objects.get(store=store_a).entered == 4


def test_another_tenants_store_is_404_on_every_auth_path(sender_client, sender_a, store_a, store_b):
    response = sender_client(sender_a).post(URL, {**BODY, "store": store_b.code}, format="json")
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Store not found."]}}
    assert not HourlyCustomers.objects.exists()


def test_store_of_the_tenant_not_granted_to_the_sender_is_404(sender_client, sender_a, store_a, store_a2):
    response = sender_client(sender_a).post(URL, {**BODY, "store": store_a2.code}, format="json")
    assert response.status_code == 404
    assert not HourlyCustomers.objects.exists()


def test_viewer_token_may_not_send(viewer_a, store_a):
    response = token_client(viewer_a).post(URL, BODY, format="json")
    assert response.status_code == 403
    assert not HourlyCustomers.objects.exists()


def test_inactive_token_user_is_401(sender_a, store_a):
    client = token_client(sender_a)
    sender_a.is_active = False
    sender_a.save(update_fields=["is_active"])
    response = client.post(URL, BODY, format="json")
    assert response.status_code == 401
    assert response.json() == {"errors": {"detail": ["User inactive or deleted."]}}
    assert not HourlyCustomers.objects.exists()


def test_unknown_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.post(URL, BODY, format="json")
    assert response.status_code == 401
    assert response.json() == {"errors": {"detail": ["Invalid token."]}}
