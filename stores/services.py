"""Writes for tenancy: provisioning, permission groups, store resolution, heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from stores.codes import base_store_code
from stores.models import DEFAULT_TIMEZONE, Membership, Role, Store, StoreHeartbeat, Tenant

BRAND_ADMIN_GROUP = "Brand admins"
# Apps whose rows a brand admin manages in the console (each admin is tenant-scoped). Not
# authtoken: API tokens are issued from the account list (MembershipAdmin), never listed.
BRAND_ADMIN_APPS = ("stores", "analytics", "devices", "pantilt", "visitorsflow", "alerts")
# Models a brand admin may only look at.
BRAND_ADMIN_READ_ONLY = {"tenant", "storeheartbeat"}


class StoreResolutionError(Exception):
    """The caller's store could not be determined; ``field`` and ``status`` say why."""

    def __init__(self, message: str, status: int, field: str = "store") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def ensure_brand_admin_group() -> Group:
    """Create or refresh the permission group every brand admin belongs to."""
    group, _ = Group.objects.get_or_create(name=BRAND_ADMIN_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=BRAND_ADMIN_APPS).select_related("content_type")
    allowed = [p for p in perms if p.content_type.model not in BRAND_ADMIN_READ_ONLY or p.codename.startswith("view_")]
    group.permissions.set(allowed)
    return group


def unique_store_code(tenant_name: str, store_name: str) -> str:
    base = base_store_code(tenant_name, store_name)
    code, n = base, 2
    while Store.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    store: Store
    username: str | None


@transaction.atomic
def provision(
    *,
    tenant_name: str,
    store_name: str,
    store_code: str | None = None,
    timezone_name: str | None = None,
    username: str | None = None,
    password: str | None = None,
    role: str = Role.SENDER,
) -> ProvisionResult:
    """Create whatever is missing of tenant, store and account; running twice changes nothing.

    An existing user keeps its password unless one is given (then it is set, so a script can
    also rotate it); an existing user of another tenant is refused rather than moved.
    """
    tenant, _ = Tenant.objects.get_or_create(name=tenant_name)
    store = Store.objects.filter(tenant=tenant, name=store_name).first()
    if store is None:
        if store_code and Store.objects.filter(code=store_code).exists():
            raise ValueError(f"Store code {store_code!r} is already used by another store.")
        store = Store(tenant=tenant, name=store_name, code=store_code or unique_store_code(tenant_name, store_name))
        store.timezone = timezone_name or DEFAULT_TIMEZONE
        store.full_clean()
        store.save()
    else:
        if store_code and store.code != store_code:
            raise ValueError(f"Store {store_name!r} already exists with code {store.code!r}.")
        if timezone_name and store.timezone != timezone_name:
            store.timezone = timezone_name
            store.full_clean()
            store.save(update_fields=["timezone"])

    if username:
        ensure_account(tenant=tenant, store=store, username=username, password=password, role=role)
    return ProvisionResult(tenant=tenant, store=store, username=username)


def ensure_account(
    *, tenant: Tenant, store: Store | None, username: str, password: str | None, role: str
) -> Membership:
    """Create or update a user with a membership in ``tenant`` bound to ``store``."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created and not password:
        raise ValueError("A new account needs --password.")
    membership = Membership.objects.filter(user=user).first()
    if membership is not None and membership.tenant_id != tenant.id:
        raise ValueError(f"User {username!r} belongs to another tenant.")
    if password and not user.check_password(password):
        user.set_password(password)
    user.is_staff = role == Role.BRAND_ADMIN
    user.save()
    if membership is None:
        membership = Membership.objects.create(user=user, tenant=tenant, role=role)
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if store is not None:
        membership.stores.add(store)
    if role == Role.BRAND_ADMIN:
        user.groups.add(ensure_brand_admin_group())
    return membership


def resolve_store_for_writer(user, store_code: str | None) -> Store:
    """The store a sender's payload goes to (SPEC §3 store resolution).

    One query on every sender request: the tenant scoping of ``writable_by`` with the model's
    default ordering dropped (it joined the tenant table to sort at most two rows).
    """
    stores = Store.objects.writable_by(user).order_by()
    if store_code not in (None, ""):
        if not isinstance(store_code, str) or "\x00" in store_code:
            raise StoreResolutionError("Must be a store code string.", status=400)
        store = stores.filter(code=store_code).first()
        if store is None:
            raise StoreResolutionError("Store not found.", status=404)
        return store
    candidates = list(stores[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise StoreResolutionError("This account is not bound to any store.", status=404)
    raise StoreResolutionError('This account is bound to several stores: name one with "store".', status=400)


def record_heartbeat(
    store: Store, *, payload: dict, remote_addr: str | None, at: datetime | None = None
) -> StoreHeartbeat:
    """Upsert the store's single heartbeat row; the count says how many arrived in total."""
    from django.db.models import F

    now = at or timezone.now()
    updated = StoreHeartbeat.objects.filter(store=store).update(
        received_at=now, count=F("count") + 1, remote_addr=remote_addr, payload=payload
    )
    if not updated:
        heartbeat, created = StoreHeartbeat.objects.get_or_create(
            store=store, defaults={"received_at": now, "count": 1, "remote_addr": remote_addr, "payload": payload}
        )
        if not created:  # another request created it between our UPDATE and INSERT
            return record_heartbeat(store, payload=payload, remote_addr=remote_addr, at=now)
        return heartbeat
    return StoreHeartbeat.objects.get(store=store)
