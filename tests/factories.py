"""factory_boy factories for the tenancy models; apps add their own beside their tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from stores.models import Membership, Role, Store, Tenant

PASSWORD = "s3cret-pass"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    code = factory.Sequence(lambda n: f"store-{n}")
    timezone = "Europe/Istanbul"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


def make_member(tenant: Tenant, role: str = Role.SENDER, stores=(), username: str | None = None) -> Membership:
    """A user with a membership; brand admins also get staff status and the admin group."""
    from stores.services import ensure_brand_admin_group

    user = UserFactory(**({"username": username} if username else {}))
    user.is_staff = role == Role.BRAND_ADMIN
    user.save()
    membership = Membership.objects.create(user=user, tenant=tenant, role=role)
    membership.stores.set(stores)
    if role == Role.BRAND_ADMIN:
        user.groups.add(ensure_brand_admin_group())
    return membership
