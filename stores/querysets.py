"""Tenant scoping in one place: every read of stores goes through ``visible_to``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class StoreQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> StoreQuerySet:
        """Stores the user may read: all for operators, the tenant's for brand admins,
        the granted ones for everybody else, none without a membership."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        if membership.role == "brand_admin":
            return self.filter(tenant_id=membership.tenant_id)
        return self.filter(tenant_id=membership.tenant_id, memberships=membership)

    def writable_by(self, user: AbstractBaseUser | None) -> StoreQuerySet:
        """Stores the user may send data to (the same set: a sender writes where it is bound)."""
        return self.visible_to(user)
