"""Tenancy: brands own stores; users reach stores only through a membership."""

from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.local_time import stamp
from stores.querysets import StoreQuerySet

DEFAULT_TIMEZONE = "Europe/Istanbul"


def new_ingest_key() -> str:
    """An unguessable key: the camera's ingest URL is its only credential."""
    return secrets.token_urlsafe(24)


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


class Tenant(models.Model):
    """A brand: the unit of isolation; nothing crosses from one tenant to another."""

    name = models.CharField(max_length=120, unique=True)
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The brand's console, alerts and summaries speak this language.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A physical store of a brand, with its own time zone and device ingest key."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="stores")
    name = models.CharField(max_length=160)
    code = models.SlugField(max_length=64, unique=True, help_text="Sender payloads name a store by this code.")
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone])
    ingest_key = models.CharField(max_length=64, unique=True, default=new_ingest_key, editable=False)
    inactivity_timeout_minutes = models.PositiveIntegerField(
        default=10, help_text="A device or store AI is offline when not heard from for this long."
    )
    site_name = models.CharField(max_length=200, blank=True, help_text="As reported by the store's setup sender.")
    opening_hour = models.PositiveSmallIntegerField(default=0, help_text="Local hour at which occupancy resets.")
    subtract_staff = models.BooleanField(
        default=False,
        help_text="Subtract people wearing a staff work card (counted by the cameras) from footfall everywhere.",
    )
    currency = models.CharField(
        max_length=3,
        default="TRY",
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code: three capital letters, e.g. TRY or EUR.")],
        help_text="ISO 4217 code of the till revenue the store reports.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["tenant__name", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="store_name_unique_per_tenant")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def inactivity_timeout(self) -> timedelta:
        return timedelta(minutes=self.inactivity_timeout_minutes)

    @property
    def ingest_path(self) -> str:
        return f"/api/devices/xml/{self.ingest_key}/"

    def is_recent(self, moment) -> bool:
        """Whether something last heard at ``moment`` still counts as online."""
        return moment is not None and timezone.now() - moment <= self.inactivity_timeout

    def rotate_ingest_key(self) -> str:
        self.ingest_key = new_ingest_key()
        self.save(update_fields=["ingest_key"])
        return self.ingest_key


class Role(models.TextChoices):
    SENDER = "sender", _("Sender account")
    VIEWER = "viewer", _("Store viewer")
    BRAND_ADMIN = "brand_admin", _("Brand admin")


class Membership(models.Model):
    """Binds a user to one tenant with a role; viewers and senders also to chosen stores."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SENDER)
    stores = models.ManyToManyField(Store, blank=True, related_name="memberships")

    class Meta:
        ordering = ["tenant__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant}"


class CameraType(models.TextChoices):
    PEOPLE_COUNT = "people_count", "Kişi Sayım"
    HEATMAP = "heatmap", "Isı Haritası"
    QUEUE = "queue", "Queue"


class Camera(models.Model):
    """A store camera as declared by the setup sender; never deleted, only deactivated."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="cameras")
    name = models.CharField(max_length=160)
    type = models.CharField(max_length=20, choices=CameraType.choices)
    rtsp_url = models.CharField(max_length=500, blank=True)
    snapshot = models.ImageField(upload_to="snapshots/", blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="camera_name_unique_per_store")]

    def __str__(self) -> str:
        return self.name

    @property
    def rtsp_masked(self) -> str:
        from stores.rtsp import mask_rtsp_credentials

        return mask_rtsp_credentials(self.rtsp_url)


class Zone(models.Model):
    """A named area of a store (erkek-giyim, kasa-alani, ...) that heatmaps report on."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="zone_name_unique_per_store")]

    def __str__(self) -> str:
        return self.name


class Cashier(models.Model):
    """A checkout (Kasa-1, ...) that queue statistics report on."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="cashiers")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="cashier_name_unique_per_store")]

    def __str__(self) -> str:
        return self.name


class StoreHeartbeat(models.Model):
    """The latest heartbeat of a store's AI service (one row per store, upserted)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="heartbeat")
    received_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.store} @ {stamp(self, self.received_at)}"
