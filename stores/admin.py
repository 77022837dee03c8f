"""Operator console for brands, stores and accounts, scoped per tenant for brand admins."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.html import format_html

from stores.admin_scoping import TenantScopedAdmin, is_operator, user_tenant_id
from stores.models import Camera, Cashier, Membership, Role, Store, StoreHeartbeat, Tenant, Zone


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = "pk"
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class CameraInline(admin.TabularInline):
    model = Camera
    fields = ["name", "type", "rtsp_display", "active", "updated_at"]
    readonly_fields = ["rtsp_display", "updated_at"]
    extra = 0

    @admin.display(description="RTSP")
    def rtsp_display(self, camera: Camera) -> str:
        return camera.rtsp_masked


@admin.register(Store)
class StoreAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    list_display = ["name", "code", "tenant", "timezone", "site_name", "ai_status"]
    list_filter = ["tenant"]
    search_fields = ["name", "code", "site_name"]
    readonly_fields = ["ingest_url", "site_name", "created_at"]
    fields = [
        "tenant",
        "name",
        "code",
        "timezone",
        "inactivity_timeout_minutes",
        "opening_hour",
        "site_name",
        "ingest_url",
        "created_at",
    ]
    inlines = [CameraInline]

    @admin.display(description="Device ingest URL")
    def ingest_url(self, store: Store) -> str:
        if not store.pk:
            return "Shown once the store is saved."
        url = (
            self.request.build_absolute_uri(store.ingest_path) if getattr(self, "request", None) else store.ingest_path
        )
        return format_html(
            '<input type="text" readonly value="{}" size="80" onclick="this.select()" aria-label="Ingest URL">', url
        )

    @admin.display(description="Store AI")
    def ai_status(self, store: Store) -> str:
        from django.utils import timezone

        heartbeat = getattr(store, "heartbeat", None)
        if heartbeat is None:
            return "never"
        online = timezone.now() - heartbeat.received_at <= store.inactivity_timeout
        return "online" if online else f"offline since {heartbeat.received_at:%Y-%m-%d %H:%M} UTC"

    def get_queryset(self, request):
        self.request = request
        return super().get_queryset(request).select_related("tenant", "heartbeat")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not is_operator(request):
            initial["tenant"] = user_tenant_id(request)
        return initial


class MembershipForm(forms.ModelForm):
    """Creates the login together with its membership: brand admins add sender accounts here."""

    username = forms.CharField(max_length=150)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Required for a new account; leave empty to keep the current one.",
    )

    class Meta:
        model = Membership
        fields = ["tenant", "role", "stores"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True

    def clean(self):
        data = super().clean()
        User = get_user_model()
        if not self.instance.pk:
            if User.objects.filter(username=data.get("username")).exists():
                self.add_error("username", "This username is taken.")
            if not data.get("password"):
                self.add_error("password", "A new account needs a password.")
        stores, tenant = data.get("stores"), data.get("tenant")
        if stores and tenant and any(store.tenant_id != tenant.pk for store in stores):
            self.add_error("stores", "Stores must belong to the account's tenant.")
        return data

    @transaction.atomic
    def save(self, commit=True):
        membership = super().save(commit=False)
        User = get_user_model()
        if not membership.pk:
            membership.user = User.objects.create_user(self.cleaned_data["username"])
        user = membership.user
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        user.is_staff = membership.role == Role.BRAND_ADMIN
        user.save()
        membership.save()
        self.save_m2m()
        if membership.role == Role.BRAND_ADMIN:
            from stores.services import ensure_brand_admin_group

            user.groups.add(ensure_brand_admin_group())
        return membership


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    form = MembershipForm
    list_display = ["user", "role", "tenant", "store_list"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username"]
    filter_horizontal = ["stores"]

    @admin.display(description="Stores")
    def store_list(self, membership: Membership) -> str:
        return ", ".join(store.code for store in membership.stores.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "tenant").prefetch_related("stores")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not is_operator(request) and "role" in form.base_fields:
            # A brand admin creates senders and viewers; promoting to brand admin stays with operators.
            form.base_fields["role"].choices = [(Role.SENDER, Role.SENDER.label), (Role.VIEWER, Role.VIEWER.label)]
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not is_operator(request):
            initial["tenant"] = user_tenant_id(request)
        return initial


class StoreChildAdmin(TenantScopedAdmin):
    list_filter = ["store"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")


@admin.register(Camera)
class CameraAdmin(StoreChildAdmin):
    list_display = ["name", "store", "type", "rtsp_display", "active", "updated_at"]
    list_filter = ["store", "type", "active"]
    search_fields = ["name"]
    # The RTSP address carries the camera password: shown masked, changed by the setup sender.
    fields = ["store", "name", "type", "rtsp_display", "snapshot_preview", "active", "updated_at"]
    readonly_fields = ["rtsp_display", "snapshot_preview", "updated_at"]

    @admin.display(description="RTSP")
    def rtsp_display(self, camera: Camera) -> str:
        return camera.rtsp_masked

    @admin.display(description="Snapshot")
    def snapshot_preview(self, camera: Camera) -> str:
        if not camera.snapshot:
            return "—"
        return format_html(
            '<img src="{}" alt="snapshot of {}" style="max-width:480px">', camera.snapshot.url, camera.name
        )


@admin.register(Zone)
class ZoneAdmin(StoreChildAdmin):
    list_display = ["name", "store"]
    search_fields = ["name"]


@admin.register(Cashier)
class CashierAdmin(StoreChildAdmin):
    list_display = ["name", "store"]
    search_fields = ["name"]


@admin.register(StoreHeartbeat)
class StoreHeartbeatAdmin(StoreChildAdmin):
    list_display = ["store", "received_at", "count", "remote_addr"]
    readonly_fields = ["store", "received_at", "count", "remote_addr", "payload"]
