"""One mixin scopes every admin list, form choice and object lookup to the user's tenant.

Operators (superusers) see everything. A brand admin sees rows whose ``tenant_path`` leads to
its tenant; another tenant's object is simply not found (404 from the admin, no hint).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import FieldError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from stores.models import Store, Tenant


def user_tenant_id(request: HttpRequest) -> int | None:
    membership = getattr(request.user, "membership", None)
    return membership.tenant_id if membership else None


def is_operator(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


class TenantScopedAdmin(admin.ModelAdmin):
    """Set ``tenant_path`` to the lookup from the model to its tenant id (``store__tenant``)."""

    tenant_path: str = "store__tenant"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_operator(request):
            return queryset
        tenant_id = user_tenant_id(request)
        if tenant_id is None:
            return queryset.none()
        return queryset.filter(**{self.tenant_path: tenant_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.scoped_choices(db_field.related_model, request, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.scoped_choices(db_field.related_model, request, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def scoped_choices(self, model: type[Model], request: HttpRequest, queryset: QuerySet | None) -> QuerySet:
        queryset = queryset if queryset is not None else model._default_manager.all()
        if is_operator(request):
            return queryset
        tenant_id = user_tenant_id(request)
        if model is Tenant:
            return queryset.filter(pk=tenant_id)
        if model is Store:
            return queryset.filter(tenant_id=tenant_id)
        for path in ("store__tenant", "tenant", "rig__tenant", "site__store__tenant"):
            try:
                return queryset.filter(**{path: tenant_id})
            except FieldError:  # the model has no such path; try the next one
                continue
        # A model with no route to a tenant has no business in a brand admin's form.
        return queryset.none()

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "doesn't exist"; another tenant's object is a plain 404.
        raise Http404

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request) or (user_tenant_id(request) is not None and super().has_module_permission(request))
