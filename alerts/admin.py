"""Console admins for alerts (tenant-scoped): a brand's rules and summary clock, what it was sent."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertRule, BrandAlertSettings, Condition, Kind, Notification
from stores.admin_scoping import TenantScopedAdmin
from vislivis.console import register


class AlertRuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(choices=Kind.choices, widget=forms.CheckboxSelectMultiple, label=_("alert kinds"))

    class Meta:
        model = AlertRule
        fields = ("tenant", "name", "channel", "recipient", "kinds", "stores", "enabled")

    def clean(self):
        cleaned = super().clean()
        tenant, stores = cleaned.get("tenant"), cleaned.get("stores")
        if tenant is not None and stores is not None and any(store.tenant_id != tenant.pk for store in stores):
            self.add_error("stores", _("Choose stores of this brand only."))
        return cleaned


@register(AlertRule)
class AlertRuleAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    form = AlertRuleForm
    list_display = ("name", "channel", "recipient", "kind_list", "enabled")
    list_filter = ("channel", "enabled")
    search_fields = ("name", "recipient")
    filter_horizontal = ("stores",)

    @admin.display(description=_("alert kinds"))
    def kind_list(self, obj: AlertRule) -> str:
        return ", ".join(str(Kind(kind).label) for kind in obj.kinds if kind in Kind.values)


@register(BrandAlertSettings)
class BrandAlertSettingsAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    list_display = ("tenant", "summary_enabled", "summary_time", "timezone", "last_summary_day")
    readonly_fields = ("last_summary_day",)


class ReadOnlyAdmin(TenantScopedAdmin):
    """Written by the checker and the delivery task; the console only reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@register(Condition)
class ConditionAdmin(ReadOnlyAdmin):
    tenant_path = "store__tenant"
    list_display = ("store", "kind", "label", "active", "since", "alerts_sent", "next_alert_at")
    list_filter = ("kind", "active", "store")
    list_select_related = ("store",)


@register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    tenant_path = "tenant"
    list_display = ("created_at", "kind", "phase", "channel", "recipient", "status", "attempts", "sent_at")
    list_filter = ("kind", "phase", "channel", "status")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
