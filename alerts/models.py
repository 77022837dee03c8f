"""Who a brand tells about what (rules, summary time), the problems being tracked, and each message."""

from __future__ import annotations

from datetime import time

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import DEFAULT_TIMEZONE, Store, Tenant, validate_timezone


class Kind(models.TextChoices):
    DEVICE_SILENT = "device_silent", _("Device silent")
    DEVICE_REFUSING = "device_refusing", _("Device refusing data")
    STORE_AI_DOWN = "store_ai_down", _("Store AI down")
    ANOMALY = "anomaly", _("Counter counting implausibly little")
    VISITORSFLOW_SILENCE = "visitorsflow_silence", _("VisitorsFlow silence")
    DAILY_SUMMARY = "daily_summary", _("Daily summary")


class Channel(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    EMAIL = "email", _("E-mail")


class BrandAlertSettings(models.Model):
    """A brand's daily-summary clock (local time and zone) and the last day it went out."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="alert_settings")
    summary_enabled = models.BooleanField(_("send a daily summary"), default=True)
    summary_time = models.TimeField(_("summary time"), default=time(8, 0), help_text=_("Local time of the brand."))
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone])
    # Claimed with a conditional UPDATE: one summary per brand and local day, however many checkers run.
    last_summary_day = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return f"{self.tenant} {self.summary_time:%H:%M} {self.timezone}"


class AlertRule(models.Model):
    """One recipient of a brand (a Telegram chat or an e-mail address) and the kinds of alert it gets."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"),
        max_length=254,
        help_text=_("E-mail address, or Telegram username, phone number or chat id."),
    )
    kinds = ArrayField(
        models.CharField(max_length=32, choices=Kind.choices), default=list, verbose_name=_("alert kinds")
    )
    stores = models.ManyToManyField(
        Store,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("stores"),
        help_text=_("None chosen: every store."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()}: {self.recipient})"

    def clean(self) -> None:
        super().clean()
        self.recipient = (self.recipient or "").strip()
        if self.channel == Channel.EMAIL:
            try:
                validate_email(self.recipient)
            except ValidationError:
                raise ValidationError({"recipient": _("Enter a valid e-mail address.")}) from None
        elif self.channel == Channel.TELEGRAM and (not self.recipient or any(c.isspace() for c in self.recipient)):
            raise ValidationError({"recipient": _("One Telegram username, phone number or chat id.")})
        if not self.kinds:
            raise ValidationError({"kinds": _("Choose at least one kind of alert.")})


class Condition(models.Model):
    """A problem watched for one store and subject (a device, a site, a count source), and how far
    its alerts went: ``alerts_sent`` > 0 means the problem was announced and not yet resolved."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="alert_conditions")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=160, blank=True, help_text="Device id, VisitorsFlow site or count source.")
    label = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    alerts_sent = models.PositiveIntegerField(default=0)
    next_alert_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store", "kind", "subject"]
        constraints = [models.UniqueConstraint(fields=["store", "kind", "subject"], name="alert_condition_key")]
        indexes = [models.Index(fields=["kind", "active"], name="alert_condition_active")]
        verbose_name = _("watched problem")
        verbose_name_plural = _("watched problems")

    def __str__(self) -> str:
        return f"{self.store} {self.kind} {self.subject or '-'}"


class Notification(models.Model):
    """One message to one recipient of one rule; kept whether or not it could be delivered."""

    class Phase(models.TextChoices):
        PROBLEM = "problem", _("problem")
        REMINDER = "reminder", _("reminder")
        RECOVERY = "recovery", _("recovery")
        SUMMARY = "summary", _("summary")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alert_notifications")
    rule = models.ForeignKey(AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    condition = models.ForeignKey(
        Condition, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="alert_notification_tenant")]
        verbose_name = _("alert message")
        verbose_name_plural = _("alert messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.phase} → {self.recipient}"
