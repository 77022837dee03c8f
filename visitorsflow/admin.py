"""Operator console for VisitorsFlow (tenant-scoped): sites, events, files, exports, alerts."""

from __future__ import annotations

from django.http import HttpRequest

from stores.admin_scoping import TenantScopedAdmin, is_operator
from visitorsflow.models import Alert, ExportAttempt, IngestedFile, PersonEvent, Site, TelegramSession
from vislivis.console import register


class ReadOnlyLogAdmin(TenantScopedAdmin):
    """Logs are written by the watcher and the tasks; the console only reads them."""

    tenant_path = "site__store__tenant"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@register(Site)
class SiteAdmin(TenantScopedAdmin):
    tenant_path = "store__tenant"
    list_display = ("ssid", "store", "watch_dir", "enabled", "last_data_at", "silence_alerts_sent", "export_failures")
    list_filter = ("enabled", "language")
    search_fields = ("ssid", "store__name", "store__code")
    readonly_fields = (
        "created_at",
        "last_data_at",
        "silence_alerts_sent",
        "next_silence_alert_at",
        "export_lock_until",
        "export_failures",
    )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The folder is the server's filesystem: derived for brand admins, chosen by operators only.
        fields = super().get_readonly_fields(request, obj)
        return fields if is_operator(request) else (*fields, "watch_dir")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "export_url":
            kwargs["assume_scheme"] = "https"  # Django 6's default; silences the transition warning
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@register(PersonEvent)
class PersonEventAdmin(ReadOnlyLogAdmin):
    list_display = ("site", "person_id", "in_out", "time", "frame_number")
    list_filter = ("in_out",)
    search_fields = ("site__ssid",)
    date_hierarchy = "time"
    list_select_related = ("site",)


@register(IngestedFile)
class IngestedFileAdmin(ReadOnlyLogAdmin):
    list_display = ("site", "name", "outcome", "events", "new_events", "rejected_records", "created_at")
    list_filter = ("outcome",)
    search_fields = ("site__ssid", "name", "sha256")
    list_select_related = ("site",)


@register(ExportAttempt)
class ExportAttemptAdmin(ReadOnlyLogAdmin):
    list_display = ("site", "created_at", "status", "http_status", "duration_ms", "retry", "note")
    list_filter = ("status",)
    search_fields = ("site__ssid",)
    list_select_related = ("site",)


@register(Alert)
class AlertAdmin(ReadOnlyLogAdmin):
    list_display = ("site", "kind", "created_at", "sent", "text", "send_error")
    list_filter = ("kind", "sent")
    search_fields = ("site__ssid", "text")
    list_select_related = ("site",)


@register(TelegramSession, brand=False)
class TelegramSessionAdmin(TenantScopedAdmin):
    """One platform-wide login credential: on the operators' site only; the secret is never displayed."""

    tenant_path = "pk"  # unused: brand admins get nothing below
    list_display = ("name", "phone", "updated_at")
    fields = ("name", "phone", "updated_at")
    readonly_fields = ("updated_at",)

    def get_queryset(self, request: HttpRequest):
        queryset = super(TenantScopedAdmin, self).get_queryset(request)
        return queryset if is_operator(request) else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created by manage.py telegram_login

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_operator(request)
