"""Tenant scoping of rigs and sessions: the one place that decides who sees what."""

from __future__ import annotations

from django.db import models


class TenantOwnedQuerySet(models.QuerySet):
    def visible_to(self, user) -> TenantOwnedQuerySet:
        """Operators see all; members see their tenant's rows; anyone else sees nothing."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.filter(tenant_id=membership.tenant_id)
