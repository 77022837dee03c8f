"""The two admin sites: the brand console at ``/admin/`` and the operators' full admin at ``/operator/``.

Scoping used to be opt-in per admin class, so any admin registered on Django's default site
(DRF's ``TokenAdmin``, ``auth.User`` …) was open to every brand admin, unscoped. Now:

- ``brand_site`` (``BrandConsoleSite``, URL namespace ``admin``) is where brand admins work. Its
  ``register`` refuses every admin that is not a ``TenantScopedAdmin`` with a valid tenant path,
  scoped inlines and scoped filters, so a third-party app's admin can never appear there
  (nothing autodiscovers into it either). Brand admins and operators may enter it.
- ``django.contrib.admin.site`` is an ``OperatorAdminSite`` (``vislivis.admin_config``, URL
  namespace instance ``operator``): everything autodiscovered lands there, and only active
  superusers may enter it.

``register(Model)`` puts one of our admin classes on both sites; ``register(Model, brand=False)``
only on the operators' site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.models.base import ModelBase
from django.http import Http404, HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from stores.admin_scoping import (
    TenantScopedAdmin,
    TenantScopedInline,
    is_operator,
    scoped_list_filter,
    tenant_path_error,
)
from stores.models import Role

RECENT_ACTIONS = 10


class OperatorAdminSite(admin.AdminSite):
    """Django's full admin, every app in it; for platform operators (active superusers) only."""

    site_header = gettext_lazy("VISLIVIS operator")
    site_title = gettext_lazy("VISLIVIS operator")
    index_title = gettext_lazy("Platform administration (every brand)")

    index_template = "admin/operator/index.html"

    def __init__(self, name: str = "operator") -> None:
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def index(self, request: HttpRequest, extra_context=None):
        # Every brand's camera backlog above the apps (the figure /readyz gives).
        return super().index(request, {"camera_backlog": camera_backlog(self, request), **(extra_context or {})})


def camera_backlog(site: admin.AdminSite, request: HttpRequest) -> dict | None:
    """The camera documents waiting for the applier, in the user's scope (devices.admin_backlog)."""
    from devices.admin_backlog import backlog_panel  # devices registers its admins on these sites
    from devices.models import ReceivedDocument

    documents_admin = site._registry.get(ReceivedDocument)
    return backlog_panel(request, documents_admin) if documents_admin is not None else None


def brand_admin_error(model: type[Model], admin_class: type) -> str | None:
    """Why ``admin_class`` may not serve ``model`` on the brand console, or ``None``."""
    if not (isinstance(admin_class, type) and issubclass(admin_class, TenantScopedAdmin)):
        return f"{getattr(admin_class, '__name__', admin_class)!s} for {model.__name__} is not a TenantScopedAdmin"
    if error := tenant_path_error(model, admin_class.tenant_path):
        return error
    for inline in admin_class.inlines:
        if not issubclass(inline, TenantScopedInline):
            return f"inline {inline.__name__} of {admin_class.__name__} is not a TenantScopedInline"
    for item in admin_class.list_filter:
        scoped_list_filter(model, item)  # raises ImproperlyConfigured for an unscoped relation filter
    return None


class BrandConsoleSite(admin.AdminSite):
    """The console brand admins (and operators) use; only tenant-scoped admins can be registered."""

    # The same name as the pages' menu ("Console"), in the brand's language (vislivis.brand_locale).
    site_header = gettext_lazy("VISLIVIS console")
    site_title = gettext_lazy("VISLIVIS console")
    index_title = gettext_lazy("Your brand")
    index_template = "admin/console/index.html"

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        if options:
            raise ImproperlyConfigured("The brand console takes admin classes only, not options.")
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            if error := brand_admin_error(model, admin_class):
                raise ImproperlyConfigured(f"Refused on the brand console: {error}.")
        super().register(models, admin_class)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        membership = getattr(user, "membership", None)
        return user.is_staff and membership is not None and membership.role == Role.BRAND_ADMIN

    def get_urls(self):
        urls = super().get_urls()
        # Django's "view on site" redirect looks the object up in the whole table; answer only
        # for objects this user's admin can see.
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<path:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ContentType.DoesNotExist, ValueError):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or model_admin.get_object(request, object_id) is None:
            raise Http404
        return shortcut(request, content_type_id, object_id)

    def index(self, request: HttpRequest, extra_context=None):
        context = {
            "recent_actions": self.recent_actions(request),
            "camera_backlog": camera_backlog(self, request),
            "operator_site_url": reverse("admin:index", current_app="operator") if is_operator(request) else None,
            **(extra_context or {}),
        }
        return super().index(request, context)

    def recent_actions(self, request: HttpRequest, limit: int = RECENT_ACTIONS) -> list[LogEntry]:
        """The user's own log entries, only about models of this console and objects still in scope.

        Django's sidebar lists every entry of the user, whatever site or tenant it was about
        (a token key, an object the user may no longer see).
        """
        content_types = {ContentType.objects.get_for_model(model).pk: model for model in self._registry}
        entries = (
            LogEntry.objects.filter(user_id=request.user.pk, content_type_id__in=content_types)
            .select_related("content_type")
            .order_by("-action_time")[: limit * 5]
        )
        shown = []
        for entry in entries:
            model_admin = self._registry[content_types[entry.content_type_id]]
            # A deleted object was in scope when this user deleted it here; the rest must still be.
            if entry.action_flag == DELETION or model_admin.get_queryset(request).filter(pk=entry.object_id).exists():
                shown.append(entry)
            if len(shown) == limit:
                break
        return shown


brand_site = BrandConsoleSite(name="admin")


def register(*models: type[Model], brand: bool = True) -> Callable[[type], type]:
    """Class decorator: register on the operators' site and (unless ``brand=False``) the console."""

    def decorate(admin_class: type) -> type:
        if brand:
            brand_site.register(models, admin_class)
        admin.site.register(models, admin_class)
        return admin_class

    return decorate


def brand_models() -> Iterable[type[Model]]:
    return list(brand_site._registry)
