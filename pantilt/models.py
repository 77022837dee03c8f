"""Pan-tilt capture rigs, their cameras, capture sessions and the command log (seed 001)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pantilt.querysets import TenantOwnedQuerySet
from stores.models import Tenant
from vislivis.outbound import WS_SCHEMES, OutboundURLValidator

# Device ids and prefixes become MQTT topic levels: no wildcards, no empty levels.
topic_level = RegexValidator(r"^[A-Za-z0-9_.\-]+$", "Letters, digits, '_', '.', '-' only.")
topic_prefix = RegexValidator(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$", "Topic levels of letters, digits, _ . -")
ws_url = RegexValidator(r"^wss?://[^\s]+$", "A ws:// or wss:// URL.")


class Rig(models.Model):
    """A pan-tilt head with cameras, commanded over HTTP or MQTT (the seed's config.json)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="rigs")
    device_id = models.CharField(max_length=100, validators=[topic_level])
    api_url = models.URLField(
        blank=True,
        validators=[OutboundURLValidator()],
        help_text="Entity commands are POSTed here when set; else MQTT. Internal addresses are refused by default.",
    )
    mqtt_prefix = models.CharField(max_length=100, default="pantilt", validators=[topic_prefix])
    pan_min = models.IntegerField(default=-18000, help_text="Degrees × 100.")
    pan_max = models.IntegerField(default=18000, help_text="Degrees × 100.")
    tilt_min = models.IntegerField(default=-9000, help_text="Degrees × 100.")
    tilt_max = models.IntegerField(default=9000, help_text="Degrees × 100.")
    zoom_min = models.IntegerField(default=0)
    zoom_max = models.IntegerField(default=10000)
    position_tolerance = models.PositiveIntegerField(default=50, help_text="Degrees × 100 (pan, tilt).")
    zoom_tolerance = models.PositiveIntegerField(default=0)
    settle_seconds = models.FloatField(default=1.0, help_text="Still and on target this long before recording.")
    move_timeout_seconds = models.FloatField(default=30.0, help_text="Fail the session if not settled by then.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["tenant__name", "device_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "device_id"], name="rig_device_unique_per_tenant")]

    def __str__(self) -> str:
        return self.device_id

    @property
    def state_topic(self) -> str:
        return f"{self.mqtt_prefix}/{self.device_id}/state"

    @property
    def command_topic(self) -> str:
        return f"{self.mqtt_prefix}/{self.device_id}/cmd"


class CameraKind(models.TextChoices):
    RGB = "rgb", "RGB"
    SWIR = "swir", "SWIR"


class RigCamera(models.Model):
    """A camera on a rig that streams msgpack frames over a WebSocket."""

    rig = models.ForeignKey(Rig, on_delete=models.CASCADE, related_name="cameras")
    camera_id = models.CharField(max_length=100, validators=[topic_level])
    kind = models.CharField(max_length=8, choices=CameraKind.choices, default=CameraKind.RGB)
    ws_url = models.CharField(max_length=500, validators=[ws_url, OutboundURLValidator(WS_SCHEMES)])

    class Meta:
        ordering = ["rig", "camera_id"]
        constraints = [models.UniqueConstraint(fields=["rig", "camera_id"], name="camera_id_unique_per_rig")]

    def __str__(self) -> str:
        return self.camera_id


class SessionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    MOVING = "moving", _("Moving")
    RECORDING = "recording", _("Recording")
    SAVING = "saving", _("Saving")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CaptureSession(models.Model):
    """One process-request: move, settle, record, save (the seed's history.json entry)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="capture_sessions")
    rig = models.ForeignKey(Rig, on_delete=models.CASCADE, related_name="sessions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    request = models.JSONField(help_text="The validated request body, as posted.")
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    folder = models.CharField(max_length=500, blank=True, help_text="Relative to MEDIA_ROOT.")
    frames = models.JSONField(default=dict, blank=True, help_text="Per camera: received, saved, dropped.")
    rig_states = models.JSONField(default=list, blank=True)
    manifest = models.JSONField(default=dict, blank=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="pantilt_session_tenant_recent")]

    def __str__(self) -> str:
        return f"Session {self.pk} · {self.rig} · {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (SessionStatus.DONE, SessionStatus.FAILED)


class Transport(models.TextChoices):
    HTTP = "http", "HTTP"
    MQTT = "mqtt", "MQTT"


class CommandLog(models.Model):
    """A command forwarded to a rig and what came back."""

    session = models.ForeignKey(CaptureSession, on_delete=models.CASCADE, related_name="commands")
    index = models.PositiveIntegerField(help_text="Position in the request's list.")
    command = models.JSONField()
    transport = models.CharField(max_length=4, choices=Transport.choices)
    status = models.CharField(max_length=16, help_text="sent, acknowledged, unacknowledged, ok, error.")
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "index"]

    def __str__(self) -> str:
        return f"{self.command.get('command_id', '?')} via {self.transport}: {self.status}"
