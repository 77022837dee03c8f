"""Console pages for brands, stores and accounts, scoped per tenant for brand admins (``vislivis.console``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from stores.admin_scoping import TenantScopedAdmin, TenantScopedInline, is_operator, tenant_accounts, user_tenant_id
from stores.admin_times import NO_STORE_ZONE, local_time, zone_of
from stores.health import store_notes
from stores.models import Camera, Cashier, Membership, Role, Store, StoreHeartbeat, Tenant, Zone
from vislivis.console import register


@register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = "pk"
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class CameraInline(TenantScopedInline, admin.TabularInline):
    model = Camera
    fields = ["name", "type", "rtsp_display", "active", "updated_at"]
    readonly_fields = ["rtsp_display", "updated_at"]
    extra = 0

    @admin.display(description=_("RTSP"))
    def rtsp_display(self, camera: Camera) -> str:
        return camera.rtsp_masked


@register(Store)
class StoreAdmin(TenantScopedAdmin):
    tenant_path = "tenant"
    list_display = ["name", "code", "tenant", "timezone", "site_name", "ai_status", "health_notes"]
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
        "subtract_staff",
        "site_name",
        "ingest_url",
        "created_at",
    ]
    inlines = [CameraInline]

    @admin.display(description=_("Device ingest URL"))
    def ingest_url(self, store: Store) -> str:
        if not store.pk:
            return _("Shown once the store is saved.")
        url = (
            self.request.build_absolute_uri(store.ingest_path) if getattr(self, "request", None) else store.ingest_path
        )
        return format_html(
            '<input type="text" readonly value="{}" size="80" onclick="this.select()" aria-label="Ingest URL">', url
        )

    @admin.display(description=_("Store AI"))
    def ai_status(self, store: Store) -> str:
        heartbeat = getattr(store, "heartbeat", None)
        if heartbeat is None:
            return _("never")
        if store.is_recent(heartbeat.received_at):
            return _("online")
        return _("offline since %(time)s") % {"time": local_time(heartbeat.received_at, zone_of(store))}

    @admin.display(description=_("Health notes"))
    def health_notes(self, store: Store) -> str:
        """What the feature apps flag about the store (``stores.health``), e.g. a sender clock
        that looks like local time sent as UTC."""
        from django.utils import timezone

        notes = store_notes(store, timezone.now())
        return format_html_join(" ", '<strong style="color: #ba2121">{}</strong>', ((note,) for note in notes))

    def get_queryset(self, request):
        self.request = request
        return super().get_queryset(request).select_related("tenant", "heartbeat")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not is_operator(request):
            initial["tenant"] = user_tenant_id(request)
        return initial


class MembershipForm(forms.ModelForm):
    """Creates the login together with its membership: brand admins add sender accounts here.

    Nothing else of the user is editable here: no staff or superuser flag, no groups or
    permissions (``is_staff`` and the brand-admin group follow the role, set by ``save``).
    """

    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Required for a new account; leave empty to keep the current one."),
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
                self.add_error("username", _("This username is taken."))
            if not data.get("password"):
                self.add_error("password", _("A new account needs a password."))
        if data.get("password"):
            user = self.instance.user if self.instance.pk else User(username=data.get("username") or "")
            try:
                validate_password(data["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        stores, tenant = data.get("stores"), data.get("tenant")
        if stores and tenant and any(store.tenant_id != tenant.pk for store in stores):
            self.add_error("stores", _("Stores must belong to the account's tenant."))
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
        user.is_staff = membership.role == Role.BRAND_ADMIN or user.is_superuser
        user.save()
        membership.save()
        self.save_m2m()
        if membership.role == Role.BRAND_ADMIN:
            from stores.services import ensure_brand_admin_group

            user.groups.add(ensure_brand_admin_group())
        return membership


# Roles a brand admin hands out; making someone a brand admin stays with operators.
BRAND_ADMIN_GRANTS = [(Role.SENDER, Role.SENDER.label), (Role.VIEWER, Role.VIEWER.label)]


@register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Accounts of a brand: a brand admin manages its senders and viewers, nobody else.

    Other brand admins, staff and superusers of the tenant are not even listed for a brand
    admin (their passwords, roles and tokens are the operators' business). Deleting an account
    here deletes the login with it (and its API token), so no tenant-less login lingers.
    """

    tenant_path = "tenant"
    form = MembershipForm
    list_display = ["user", "role", "tenant", "store_list", "api_token"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username"]
    filter_horizontal = ["stores"]
    actions = ["issue_tokens", "revoke_tokens"]

    @admin.display(description=_("Stores"))
    def store_list(self, membership: Membership) -> str:
        return ", ".join(store.code for store in membership.stores.all())

    @admin.display(description=_("API token"))
    def api_token(self, membership: Membership) -> str:
        token = getattr(membership.user, "auth_token", None)
        return masked_token(token) if token else "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "tenant", "user__auth_token")
        if not is_operator(request):
            queryset = queryset.filter(user__in=tenant_accounts(user_tenant_id(request)))
        return queryset.prefetch_related("stores")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not is_operator(request) and "role" in form.base_fields:
            form.base_fields["role"].choices = BRAND_ADMIN_GRANTS
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not is_operator(request):
            initial["tenant"] = user_tenant_id(request)
        return initial

    def save_model(self, request, obj, form, change):
        if not is_operator(request) and (
            obj.tenant_id != user_tenant_id(request) or obj.role not in dict(BRAND_ADMIN_GRANTS)
        ):
            raise PermissionDenied  # the form's choices already refuse this; never trust one layer
        super().save_model(request, obj, form, change)

    # Deleting an account ---------------------------------------------------------------

    def delete_model(self, request, obj: Membership) -> None:
        obj.user.delete()  # cascades to the membership and the token

    def delete_queryset(self, request, queryset) -> None:
        get_user_model().objects.filter(membership__in=queryset).delete()

    def get_deleted_objects(self, objs, request):
        """What the confirmation lists: the accounts themselves (their token keys never)."""
        lines = [
            _("Account %(name)s (%(role)s), its membership and API token")
            % {"name": m.user.username, "role": m.get_role_display()}
            for m in objs
        ]
        return lines, {"accounts": len(lines)}, set(), []

    # API tokens ------------------------------------------------------------------------

    @admin.action(description=_("Issue a new API token (shown once, replaces the old one)"), permissions=["change"])
    def issue_tokens(self, request, queryset):
        issued = []
        with transaction.atomic():
            for membership in queryset.select_related("user").order_by("user__username"):
                Token.objects.filter(user=membership.user).delete()
                token = Token.objects.create(user=membership.user)
                self.log_change(request, membership, "Issued a new API token.")
                issued.append((membership, token.key))
        if not issued:
            self.message_user(request, _("No account of yours was selected; no token issued."), messages.WARNING)
            return None
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": _("API tokens issued"),
            "opts": self.model._meta,
            "issued": issued,
        }
        response = TemplateResponse(request, "admin/stores/membership/token_issued.html", context)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        return response

    @admin.action(description=_("Revoke API token"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for membership in queryset.select_related("user"):
            deleted, _ = Token.objects.filter(user=membership.user).delete()
            if deleted:
                revoked += 1
                self.log_change(request, membership, "Revoked the API token.")
        message = ngettext("Revoked %(count)d API token.", "Revoked %(count)d API tokens.", revoked)
        message %= {"count": revoked}
        self.message_user(request, message, messages.SUCCESS)


def masked_token(token: Token) -> str:
    """Enough to tell tokens apart, never enough to use one: the key is shown only when issued."""
    return f"{token.key[:4]}… ({local_time(token.created, NO_STORE_ZONE)})"


class StoreChildAdmin(TenantScopedAdmin):
    list_filter = ["store"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")


@register(Camera)
class CameraAdmin(StoreChildAdmin):
    list_display = ["name", "store", "type", "rtsp_display", "active", "updated_at"]
    list_filter = ["store", "type", "active"]
    search_fields = ["name"]
    # The RTSP address carries the camera password: shown masked, changed by the setup sender.
    fields = ["store", "name", "type", "rtsp_display", "snapshot_preview", "active", "updated_at"]
    readonly_fields = ["rtsp_display", "snapshot_preview", "updated_at"]

    @admin.display(description=_("RTSP"))
    def rtsp_display(self, camera: Camera) -> str:
        return camera.rtsp_masked

    @admin.display(description=_("Snapshot"))
    def snapshot_preview(self, camera: Camera) -> str:
        if not camera.snapshot:
            return "—"
        return format_html(
            '<img src="{}" alt="snapshot of {}" style="max-width:480px">', camera.snapshot.url, camera.name
        )


@register(Zone)
class ZoneAdmin(StoreChildAdmin):
    list_display = ["name", "store"]
    search_fields = ["name"]


@register(Cashier)
class CashierAdmin(StoreChildAdmin):
    list_display = ["name", "store"]
    search_fields = ["name"]


@register(StoreHeartbeat)
class StoreHeartbeatAdmin(StoreChildAdmin):
    list_display = ["store", "received_at", "count", "remote_addr"]
    readonly_fields = ["store", "received_at", "count", "remote_addr", "payload"]
