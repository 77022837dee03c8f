"""Every time the console shows is in the store's own zone, with the zone named (issue 18).

Django's admin renders a ``DateTimeField`` in the active time zone (UTC here) in the server
language's long format ("Dec. 1, 2026, 7:10 p.m."), while the dashboards show store time. A
changelist mixes stores of several zones, so one active zone cannot be right for every row.
Instead ``StoreLocalTimesAdmin`` (a base of ``TenantScopedAdmin``, so every console admin has it
without writing anything) replaces, per request:

- every datetime column of ``list_display`` with a column that renders each row's value in its
  own store's zone: ``2026-12-01 22:10:05 (Europe/Istanbul)``, sortable as before;
- every read-only datetime field of a change form (and of its inlines) the same way;

and activates the object's store zone for its change and history pages, so an editable
datetime widget reads and writes store time too.

The store of an object is found along its foreign keys (``store_path``): ``Device.store``,
``PersonEvent.site.store``; a ``Store`` is its own. An object with no store (a brand, a
pan-tilt rig, a capture session) is shown in UTC, named as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from django.db import models
from django.db.models import Model
from django.utils import timezone

from stores.local_time import NO_STORE_ZONE, local_time, stamp, store_path, zone_of

__all__ = ["NO_STORE_ZONE", "StoreLocalTimesAdmin", "in_store_time", "local_time", "stamp", "store_path", "zone_of"]


def is_datetime_field(model: type[Model], name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        return isinstance(model._meta.get_field(name), models.DateTimeField)
    except Exception:  # noqa: BLE001 - not a field name (a method, a lookup, a property): leave it
        return False


@cache
def local_time_column(model: type[Model], name: str) -> Callable[[Model], str | None]:
    """A list or read-only column showing ``model.<name>`` in the row's store zone.

    Cached, so the same column object stands for ``name`` in ``list_display`` and
    ``list_display_links`` alike.
    """
    field = model._meta.get_field(name)

    def column(obj: Model) -> str | None:
        return local_time(getattr(obj, name), zone_of(obj))

    column.__name__ = name  # the cell's CSS class stays field-<name>
    column.short_description = field.verbose_name
    column.admin_order_field = name
    return column


def localized(model: type[Model], names: Iterable, keep: Iterable = (), only: Iterable | None = None):
    """``names`` (a list, or fieldsets-style nested tuples) with datetime fields as local columns.

    Names in ``keep`` stay (an editable list column); with ``only``, only those names change.
    """
    keep, only = set(keep), None if only is None else set(only)

    def swap(item):
        if isinstance(item, (list, tuple)):
            return type(item)(swap(inner) for inner in item)
        if item in keep or (only is not None and item not in only) or not is_datetime_field(model, item):
            return item
        return local_time_column(model, item)

    return [swap(item) for item in names]


def localize_form(admin_form, model: type[Model]) -> None:
    """Read-only datetime fields of an ``AdminForm`` or ``InlineAdminFormSet`` as local columns."""
    times = {name for name in admin_form.readonly_fields if is_datetime_field(model, name)}
    if not times:
        return
    admin_form.readonly_fields = localized(model, admin_form.readonly_fields, only=times)
    admin_form.fieldsets = [
        (title, {**options, "fields": localized(model, options.get("fields", ()), only=times)})
        for title, options in admin_form.fieldsets
    ]


class StoreLocalTimesAdmin:
    """Mixed into ``TenantScopedAdmin``: the console's times in store time (module docstring)."""

    def get_queryset(self, request):
        # Each row's store is read for its zone: joined, not fetched row by row.
        queryset = super().get_queryset(request)
        path = store_path(self.model)
        return queryset.select_related(path) if path else queryset

    def get_list_display(self, request):
        return localized(self.model, super().get_list_display(request), keep=self.list_editable)

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return links if links is None else localized(self.model, links, keep=self.list_editable)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (admin_form := context.get("adminform")) is not None:
            localize_form(admin_form, self.model)
        for inline in context.get("inline_admin_formsets", ()):
            localize_form(inline, inline.formset.model)
        return super().render_change_form(request, context, add, change, form_url, obj)


def in_store_time(obj: Model | None, view: Callable):
    """Run ``view`` and render its response with the time zone of ``obj``'s store active."""
    with timezone.override(zone_of(obj)):
        response = view()
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    return response
