"""The session user arrives with its membership, so tenant scoping costs no extra query."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from stores.backends import MembershipModelBackend
from stores.models import Store


@pytest.mark.django_db
def test_session_user_carries_its_membership(viewer_a, store_a, django_assert_num_queries):
    user = MembershipModelBackend().get_user(viewer_a.pk)
    with django_assert_num_queries(0):
        assert user.membership.tenant_id == store_a.tenant_id
        assert user.membership.role == viewer_a.membership.role


@pytest.mark.django_db
def test_user_without_membership_sees_nothing_and_costs_no_query(django_assert_num_queries):
    plain = get_user_model().objects.create_user("plain", password="x-Long-enough-42")
    user = MembershipModelBackend().get_user(plain.pk)
    with django_assert_num_queries(0):
        assert getattr(user, "membership", None) is None
    assert list(Store.objects.visible_to(user)) == []


@pytest.mark.django_db
def test_inactive_or_missing_users_are_not_restored(viewer_a):
    viewer_a.is_active = False
    viewer_a.save()
    assert MembershipModelBackend().get_user(viewer_a.pk) is None
    assert MembershipModelBackend().get_user(10**9) is None


@pytest.mark.django_db
def test_logged_in_reads_stay_scoped_to_the_tenant(viewer_a, store_a, store_b):
    client = Client()
    client.force_login(viewer_a)
    assert client.get(f"/api/stores/{store_a.pk}/footfall").status_code == 200
    assert client.get(f"/api/stores/{store_b.pk}/footfall").status_code == 404
