"""Operator console for counting cameras and the documents they sent, scoped per tenant.

Devices register themselves on their first push, so nothing here is added by hand; the store's
ingest URL is shown ready to copy into the camera's configuration page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from devices import health
from devices.admin_backlog import backlog_panel
from devices.models import Device, ReceivedDocument
from devices.services import replay_document
from stores.admin_scoping import TenantScopedAdmin
from stores.admin_times import local_time, zone_of
from vislivis.console import register

BODY_PREVIEW_CHARS = 20_000


def copyable(value: str, label: str) -> str:
    return format_html(
        '<input type="text" readonly value="{}" size="80" onclick="this.select()" aria-label="{}">', value, label
    )


@register(Device)
class DeviceAdmin(TenantScopedAdmin):
    tenant_path = "store__tenant"
    list_display = [
        "device_id",
        "name",
        "store",
        "status",
        "last_data_at",
        "last_seen",
        "ip_address",
        "serial_number",
        "sw_release",
    ]
    list_filter = ["store"]
    search_fields = ["device_id", "name", "serial_number", "mac_address", "ip_address", "host_name"]
    list_select_related = ["store"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "store",
                    "device_id",
                    "name",
                    "status",
                    "ingest_url",
                    "first_seen",
                    "last_seen",
                    "last_data_at",
                    "last_refused_at",
                    "last_refusal_reason",
                ]
            },
        ),
        (
            _("Reported properties"),
            {
                "fields": [
                    "site_id",
                    "site_name",
                    "mac_address",
                    "ip_address",
                    "ip_address_method",
                    "connection_type",
                    "host_name",
                    "serial_number",
                    "hw_platform",
                    "sw_release",
                    "device_type",
                    "interface_version",
                    "timezone_hours",
                    "dst",
                    "properties_transmit_time",
                    "last_document_kind",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a device registers itself on its first push

    def get_queryset(self, request: HttpRequest):
        self.request = request
        return super().get_queryset(request).select_related("store")

    @admin.display(description=_("State"))
    def status(self, device: Device) -> str:
        """online / refusing (red, the reason, a link to the refused document) / silent since …"""
        fields = health.health_fields(device, timezone.now(), device.store.inactivity_timeout)
        state = fields["state"]
        if state == health.ONLINE:
            return format_html('<span class="device-state device-state--online">{}</span>', _("online"))
        if state == health.REFUSING:
            refusal = fields["refusal"]
            link = (
                format_html(' <a href="{}">{}</a>', refusal["console_url"], _("refused document"))
                if refusal["console_url"]
                else ""
            )
            return format_html(
                '<strong class="device-state device-state--refusing" style="color: #ba2121">{}</strong>: {}{}',
                _("refusing"),
                refusal["reason"],
                link,
            )
        last = device.last_data_at
        since = _("no data since %(time)s") % {"time": local_time(last, zone_of(device))} if last else _("no data yet")
        if fields["heard"]:
            heartbeats_only = _("heartbeats only")  # outside the f-string: makemessages reads no f-strings
            since = f"{since} ({heartbeats_only})"
        return format_html('<span class="device-state device-state--silent">{}: {}</span>', _("silent"), since)

    @admin.display(description=_("Store ingest URL"))
    def ingest_url(self, device: Device) -> str:
        path = device.store.ingest_path
        request = getattr(self, "request", None)
        return copyable(request.build_absolute_uri(path) if request else path, "Ingest URL")


@register(ReceivedDocument)
class ReceivedDocumentAdmin(TenantScopedAdmin):
    tenant_path = "store__tenant"
    list_display = ["received_at", "store", "device_key", "kind", "outcome", "records", "applied", "size", "error"]
    list_filter = ["outcome", "kind", "store"]
    search_fields = ["device_key", "error"]
    date_hierarchy = "received_at"
    list_select_related = ["store"]
    actions = ["replay_selected"]
    fields = [
        "store",
        "device",
        "device_key",
        "kind",
        "received_at",
        "outcome",
        "error",
        "records",
        "applied",
        "size",
        "content_type",
        "remote_addr",
        "replayed_at",
        "body_text",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        # The list never loads the bodies (up to 1 MiB each); the change page does, via body_text.
        return super().get_queryset(request).defer("body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # Above the list: how many of the user's documents wait for the applier (devices.admin_backlog).
        return super().changelist_view(
            request, {"camera_backlog": backlog_panel(request, self), **(extra_context or {})}
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # what a camera sent is evidence: view, replay or let the purge delete it

    @admin.display(description=_("Body as received"))
    def body_text(self, document: ReceivedDocument) -> str:
        text = document.raw_body().decode("utf-8", "replace")
        if len(text) > BODY_PREVIEW_CHARS:
            text = text[:BODY_PREVIEW_CHARS] + f"\n… ({document.size} bytes in all)"
        return format_html('<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>', text)

    @admin.action(description=_("Replay selected documents (parse and apply again)"), permissions=["view"])
    def replay_selected(self, request: HttpRequest, queryset) -> None:
        accepted = rejected = 0
        for document in queryset.select_related("store").order_by("received_at", "pk"):
            result = replay_document(document)
            accepted, rejected = accepted + result.accepted, rejected + (not result.accepted)
        counts = {"accepted": accepted, "rejected": rejected}
        message = _("Replayed: %(accepted)d accepted, %(rejected)d rejected.") % counts
        self.message_user(request, message, messages.INFO)
