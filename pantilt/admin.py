"""Operator console for this app (tenant-scoped): rigs, cameras, sessions with thumbnails."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from pantilt.models import CaptureSession, CommandLog, Rig, RigCamera
from stores.admin_scoping import TenantScopedAdmin, TenantScopedInline
from vislivis.console import register

THUMBNAILS_PER_CAMERA = 12


class RigCameraInline(TenantScopedInline, admin.TabularInline):
    model = RigCamera
    extra = 1


@register(Rig)
class RigAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    list_display = ("device_id", "tenant", "mqtt_prefix", "api_url", "settle_seconds", "move_timeout_seconds")
    list_filter = ("tenant",)
    search_fields = ("device_id",)
    inlines = [RigCameraInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "api_url":
            kwargs["assume_scheme"] = "https"  # Django 6's default; silences the transition warning
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@register(RigCamera)
class RigCameraAdmin(TenantScopedAdmin):
    tenant_path = "rig__tenant"
    list_display = ("camera_id", "rig", "kind", "ws_url")
    list_filter = ("kind",)
    search_fields = ("camera_id", "rig__device_id")


class CommandLogInline(TenantScopedInline, admin.TabularInline):
    model = CommandLog
    extra = 0
    can_delete = False
    readonly_fields = ("index", "transport", "status", "command", "response", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@register(CaptureSession)
class CaptureSessionAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    list_display = ("id", "rig", "status", "created_at", "finished_at", "folder")
    list_filter = ("status", "tenant")
    search_fields = ("rig__device_id", "folder")
    readonly_fields = (
        "tenant", "rig", "requested_by", "request", "status", "error", "created_at", "started_at", "finished_at",
        "folder", "frames", "thumbnails", "rig_states", "manifest",
    )  # fmt: skip
    inlines = [CommandLogInline]

    def has_add_permission(self, request) -> bool:
        return False  # sessions come from process-request only

    @admin.display(description=_("Frames"))
    def thumbnails(self, obj: CaptureSession) -> str:
        root = Path(settings.MEDIA_ROOT) / obj.folder
        if not obj.folder or not root.is_dir():
            return "—"
        base = "/" + settings.MEDIA_URL.lstrip("/") + obj.folder
        rows = []
        for camera_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            files = sorted(camera_dir.glob("*.png"))[:THUMBNAILS_PER_CAMERA]
            images = format_html_join(
                "",
                '<a href="{0}" target="_blank"><img src="{0}" alt="{1}" style="height:72px;margin:2px"></a>',
                ((f"{base}/{camera_dir.name}/{f.name}", f.name) for f in files),
            )
            rows.append((camera_dir.name, images))
        return format_html_join("", "<div><strong>{}</strong><br>{}</div>", rows) or "—"


@register(CommandLog)
class CommandLogAdmin(TenantScopedAdmin):
    tenant_path = "session__tenant"
    list_display = ("session", "index", "transport", "status", "created_at")
    list_filter = ("transport", "status")
    readonly_fields = ("session", "index", "command", "transport", "status", "response", "created_at")
