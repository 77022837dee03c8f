"""One mixin scopes every admin list, form choice, filter and object lookup to the user's tenant.

Operators (superusers) see everything. A brand admin sees rows whose ``tenant_path`` leads to
its tenant; another tenant's object is simply not found (404 from the admin, no hint).

Everything that lists related objects is scoped here, in the base class, so a new admin
inherits it without writing anything: foreign-key and many-to-many choices (also in inlines
and raw-id widgets) and the changelist's filter sidebar (``list_filter`` entries that name a
relation or list stored values). The brand console (``vislivis.console.BrandConsoleSite``)
refuses any admin class that is not built on these.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from stores.admin_times import StoreLocalTimesAdmin, in_store_time
from stores.models import Role, Store, Tenant

# Lookups tried, in order, for a related model that the site does not register itself.
FALLBACK_TENANT_PATHS = ("store__tenant", "tenant", "rig__tenant", "site__store__tenant", "session__tenant")


def user_tenant_id(request: HttpRequest) -> int | None:
    membership = getattr(request.user, "membership", None)
    return membership.tenant_id if membership else None


def is_operator(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


def tenant_accounts(tenant_id: int | None) -> QuerySet:
    """The logins a brand admin may manage: its tenant's senders and viewers, never staff."""
    return get_user_model()._default_manager.filter(
        membership__tenant_id=tenant_id,
        membership__role__in=[Role.SENDER, Role.VIEWER],
        is_staff=False,
        is_superuser=False,
    )


def tenant_path_error(model: type[Model], path: str) -> str | None:
    """Why ``path`` does not lead from ``model`` to a tenant id, or ``None`` when it does."""
    if path == "pk":
        return None if model is Tenant else f"{model.__name__}.pk is not a tenant"
    try:
        fields = get_fields_from_path(model, path)
    except (FieldDoesNotExist, NotRelationField) as error:
        return f"{model.__name__}: {path!r} is not a lookup ({error})"
    last = fields[-1]
    if not (last.is_relation and last.related_model is Tenant):
        return f"{model.__name__}: {path!r} does not end at a Tenant"
    return None


def scoped_queryset(admin_site, model: type[Model], request: HttpRequest, queryset: QuerySet | None) -> QuerySet:
    """``queryset`` (default: every row of ``model``) cut down to what the user's tenant owns.

    A model the site registers with a tenant-scoped admin is cut by that admin's own rule; the
    rest by the first fallback path that exists. A model with no route to a tenant has no
    business in a brand admin's form: nothing.
    """
    queryset = queryset if queryset is not None else model._default_manager.all()
    if is_operator(request):
        return queryset
    tenant_id = user_tenant_id(request)
    if tenant_id is None:
        return queryset.none()
    related_admin = admin_site._registry.get(model) if admin_site is not None else None
    if isinstance(related_admin, TenantScopedAdmin):
        return queryset.filter(pk__in=related_admin.get_queryset(request).values("pk"))
    if model is Tenant:
        return queryset.filter(pk=tenant_id)
    if model is Store:
        return queryset.filter(tenant_id=tenant_id)
    if model is get_user_model():
        return queryset.filter(pk__in=tenant_accounts(tenant_id).values("pk"))
    for path in FALLBACK_TENANT_PATHS:
        try:
            return queryset.filter(**{path: tenant_id})
        except FieldError:  # the model has no such path; try the next one
            continue
    return queryset.none()


class TenantScopedRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id input names the chosen object only when the user's tenant owns it.

    Django's widget looks the typed id up in the whole table, so a re-shown form would print
    another tenant's object name next to an id typed by hand.
    """

    def __init__(self, rel, admin_site, queryset: QuerySet, attrs=None, using=None) -> None:
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.scoped = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.scoped.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


class TenantRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A relation's filter links list only the related objects of the user's tenant."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = scoped_queryset(model_admin.admin_site, field.related_model, request, None)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": allowed.values("pk")}, ordering=ordering
        )


class TenantAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """Stored values listed from the admin's scoped rows (Django reads the whole related table
    when the path crosses a relation, e.g. ``site__ssid``)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request).distinct().order_by(field_path).values_list(field_path, flat=True)
        )


# Filters whose choices come from the scoped queryset already; any other relation filter is refused.
SCOPED_RELATED_FILTERS = (TenantRelatedFieldListFilter, admin.RelatedOnlyFieldListFilter)


def scoped_list_filter(model: type[Model], item):
    """The ``list_filter`` entry ``item`` with its listing scoped (see the module docstring)."""
    if isinstance(item, str):
        field = get_fields_from_path(model, item)[-1]
        if field.remote_field is not None:
            return (item, TenantRelatedFieldListFilter)
        if isinstance(field, (models.BooleanField, models.DateField)) or field.choices:
            return item  # fixed choices: nothing read from the table
        return (item, TenantAllValuesFieldListFilter)
    if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], type):
        path, filter_class = item
        if filter_class is admin.RelatedFieldListFilter:
            return (path, TenantRelatedFieldListFilter)
        if filter_class is admin.AllValuesFieldListFilter:
            return (path, TenantAllValuesFieldListFilter)
        if issubclass(filter_class, admin.RelatedFieldListFilter) and not issubclass(
            filter_class, SCOPED_RELATED_FILTERS
        ):
            raise ImproperlyConfigured(
                f"{model.__name__}: list filter {filter_class.__name__} for {path!r} lists unscoped objects; "
                "subclass TenantRelatedFieldListFilter."
            )
    return item  # a SimpleListFilter defines its own lookups


class TenantScopedFormfields:
    """Scoped choices for foreign keys and many-to-many fields (admins and inlines alike)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.scoped_choices(db_field, request, kwargs.get("queryset"))
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = TenantScopedRawIdWidget(
                db_field.remote_field, self.admin_site, kwargs["queryset"], using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self.scoped_choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def scoped_choices(self, db_field, request: HttpRequest, queryset: QuerySet | None) -> QuerySet:
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        return scoped_queryset(self.admin_site, db_field.related_model, request, queryset)


class TenantScopedAdmin(StoreLocalTimesAdmin, TenantScopedFormfields, admin.ModelAdmin):
    """Set ``tenant_path`` to the lookup from the model to its tenant id (``store__tenant``).

    Its times are shown in the store's zone (``stores.admin_times``)."""

    tenant_path: str = "store__tenant"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_operator(request):
            return queryset
        tenant_id = user_tenant_id(request)
        if tenant_id is None:
            return queryset.none()
        return queryset.filter(**{self.tenant_path: tenant_id})

    def get_list_filter(self, request: HttpRequest):
        return [scoped_list_filter(self.model, item) for item in super().get_list_filter(request)]

    def require_visible(self, request: HttpRequest, object_id: str) -> Model:
        """Another tenant's (or no) object is a 404 before any permission check, so a read-only
        model does not answer 403 for rows that exist elsewhere and 404 for rows that do not."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.require_visible(request, object_id)
        return in_store_time(
            obj, lambda: super(TenantScopedAdmin, self).change_view(request, object_id, form_url, extra_context)
        )

    def delete_view(self, request, object_id, extra_context=None):
        self.require_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.require_visible(request, object_id)
        return in_store_time(
            obj, lambda: super(TenantScopedAdmin, self).history_view(request, object_id, extra_context)
        )

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "doesn't exist"; another tenant's object is a plain 404.
        raise Http404

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request) or (user_tenant_id(request) is not None and super().has_module_permission(request))


class TenantScopedInline(TenantScopedFormfields):
    """Mix into an inline (``TenantScopedInline, admin.TabularInline``): its choices are scoped.

    The inline's rows are already bound to the (scoped) parent object; its own foreign keys
    are not, which is what this adds.
    """
