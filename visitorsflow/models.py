"""VisitorsFlow (seed 002): sites fed by a watched folder, their person events, and what we logged."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.local_time import stamp
from stores.models import Store
from visitorsflow import folders
from visitorsflow.folders import SSID_PATTERN
from vislivis.outbound import OutboundURLValidator


class Language(models.TextChoices):
    ZH_HANT = "zh-hant", "繁體中文"
    TR = "tr", "Türkçe"
    EN = "en", "English"


class Site(models.Model):
    """A counter site tied to a store: its folder, official-API identity and alert settings."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="visitorsflow_sites")
    ssid = models.CharField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(SSID_PATTERN, "Letters, digits, '_', '.', '-'; starting with a letter or digit.")],
        help_text="The official API's site id, e.g. SS-007.",
    )
    watch_dir = models.CharField(
        max_length=500,
        blank=True,
        help_text="Folder the counter writes its JSON files into. Set by an operator only; "
        "empty = derived: <VISITORSFLOW_ROOT>/<tenant id>/<ssid>.",
    )
    tag_count = models.PositiveIntegerField(default=901)
    tag_accu_in = models.PositiveIntegerField(default=902)
    tag_accu_out = models.PositiveIntegerField(default=903)
    export_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[OutboundURLValidator()],
        help_text="Official API; empty = no export. Internal addresses are refused unless an operator allows them.",
    )
    silence_minutes = models.PositiveIntegerField(default=1, help_text="Alert when no file arrives for this long.")
    telegram_recipients = models.TextField(
        blank=True, help_text="Usernames, phone numbers or chat ids, one per line or comma separated."
    )
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ZH_HANT)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Watcher and exporter state lives here, never only in a process's memory.
    last_data_at = models.DateTimeField(null=True, blank=True, help_text="When the last valid file was committed.")
    silence_alerts_sent = models.PositiveIntegerField(default=0, help_text="0 = not silent.")
    next_silence_alert_at = models.DateTimeField(null=True, blank=True)
    export_lock_until = models.DateTimeField(null=True, blank=True)
    export_failures = models.PositiveIntegerField(default=0, help_text="Consecutive failed export attempts.")

    class Meta:
        ordering = ["ssid"]

    def __str__(self) -> str:
        return self.ssid

    def save(self, *args, **kwargs) -> None:
        if not self.watch_dir:  # derived once, then kept: renaming the ssid does not move the folder
            self.watch_dir = str(folders.resolve(self.folder()))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The folder is absolute, inside this tenant's part of the root, and overlaps no other site's.

        Raised as a form-wide error: brand admins have no watch_dir field in their form.
        """
        super().clean()
        if self.store_id is None or not self.ssid:
            return
        others = Site.objects.exclude(pk=self.pk).values_list("watch_dir", flat=True)
        try:
            path = folders.resolve(self.folder())
            folders.check(path, self.store.tenant_id, others)
        except folders.FolderError as exc:
            raise ValidationError(f"Watch folder: {exc}.", code="watch_dir") from exc

    def folder(self) -> Path:
        """The stored folder, or the derived one while none is stored (a new site)."""
        if self.watch_dir:
            return Path(self.watch_dir)
        return folders.derived(self.store.tenant_id, self.ssid)

    @property
    def recipients(self) -> list[str]:
        raw = self.telegram_recipients.replace(",", "\n").splitlines()
        return [item.strip() for item in raw if item.strip()]


class InOut(models.IntegerChoices):
    ENTERED = 0, _("entered")
    LEFT = 1, _("left")
    PASSED = 2, _("passed by")


class IngestedFile(models.Model):
    """One file taken from a watch folder: what it held and where it went."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", _("processed")
        # Some items were not valid events: the good ones are stored, the bad ones listed.
        PARTIAL = "partial", _("partial")
        FAILED = "failed", _("failed")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    events = models.PositiveIntegerField(default=0, help_text="Events in the file.")
    new_events = models.PositiveIntegerField(default=0, help_text="Events not already stored (duplicates count once).")
    rejected_records = models.PositiveIntegerField(default=0, help_text="Items of the file that were not valid events.")
    rejects = models.JSONField(
        default=list,
        blank=True,
        help_text="The first bad items as {index, reason}; the full list is in <name>.rejects.json beside the file.",
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    moved_to = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.site} {self.name} ({self.outcome})"


class PersonEvent(models.Model):
    """A person crossing (or passing) a site's line, as the counter wrote it; stored once."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="events")
    person_id = models.BigIntegerField()
    in_out = models.PositiveSmallIntegerField(choices=InOut.choices)
    time = models.DateTimeField(help_text="UTC; the file holds site-local time.")
    frame_number = models.BigIntegerField()
    file = models.ForeignKey(IngestedFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "person_id", "in_out", "time", "frame_number"], name="vf_event_unique_per_site"
            )
        ]
        indexes = [models.Index(fields=["site", "time"])]

    def __str__(self) -> str:
        return f"{self.site} #{self.person_id} {self.get_in_out_display()} {stamp(self, self.time)}"


class ExportAttempt(models.Model):
    """One try at posting a site's day totals to the official API, with what came back."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")
        DRY_RUN = "dry_run", _("dry run")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="exports")
    created_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    retry = models.PositiveSmallIntegerField(default=0, help_text="0 = first try of this run.")
    error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.site} {self.status} {stamp(self, self.created_at)}"


class Alert(models.Model):
    """A message for a site's Telegram recipients; kept whether or not it could be sent."""

    class Kind(models.TextChoices):
        SILENCE = "silence", _("silence")
        RECOVERY = "recovery", _("recovery")
        INGEST_ERROR = "ingest_error", _("ingest error")
        EXPORT_FAILURE = "export_failure", _("export failure")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField()
    sent = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.JSONField(default=list, blank=True, help_text="Recipients already reached.")
    send_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site} {self.kind} {stamp(self, self.created_at)}"


class TelegramSession(models.Model):
    """The Telethon StringSession of the alerting user account (written by telegram_login)."""

    name = models.CharField(max_length=64, unique=True, default="default")
    phone = models.CharField(max_length=32, blank=True)
    session = models.TextField(help_text="Telethon StringSession: a login credential, keep it secret.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Telegram session {self.name} ({self.phone or 'unknown phone'})"
