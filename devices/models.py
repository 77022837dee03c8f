"""Stereo people-counting cameras (seed 003): devices, their counts, hourly rollups, raw documents.

Counts are stored per interval as the camera reports them (``MinuteCount``, usually one
minute) and summed per UTC hour into ``HourlyFootfall`` in the same transaction, so a year of
minute data is read from ~9 K hourly rows instead of ~525 K minute rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stores.local_time import stamp
from stores.models import Store

if TYPE_CHECKING:
    from devices.xml import DeviceDocument


class ObjectType(models.IntegerChoices):
    TOTAL = 0, _("Total")
    ADULTS = 1, _("Adults")
    CHILDREN = 2, _("Children")


# Device columns copied from each document's <Properties> (both ingest paths write exactly these).
PROPERTY_FIELDS = (
    "interface_version",
    "mac_address",
    "ip_address",
    "connection_type",
    "ip_address_method",
    "host_name",
    "timezone_hours",
    "dst",
    "hw_platform",
    "serial_number",
    "device_type",
    "sw_release",
    "timezone_name",
    "http_port",
    "https_port",
    "wifi_ssid",
)
# Device columns from the root and objects (Brickstream), kept with the same "newest document" rule.
IDENTITY_FIELDS = ("name", "site_id", "site_name", "division_id", "external_id")


def identity_values(document: DeviceDocument) -> dict[str, str]:
    """The device columns named by the document's root and objects (``IDENTITY_FIELDS``)."""
    values = {
        "name": document.device_name,
        "site_id": document.site_id,
        "site_name": document.site_name,
        "division_id": document.division_id,
        "external_id": document.external_id,
    }
    return values


class Device(models.Model):
    """A counting camera of a store, registered on its first push by its ``DeviceId``."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="devices")
    device_id = models.CharField("DeviceId", max_length=64)
    name = models.CharField(max_length=128, blank=True)
    site_id = models.CharField(max_length=128, blank=True)
    site_name = models.CharField(max_length=128, blank=True)
    mac_address = models.CharField(max_length=128, blank=True)
    ip_address = models.CharField(max_length=128, blank=True)
    connection_type = models.CharField(max_length=128, blank=True)
    ip_address_method = models.CharField(max_length=128, blank=True)
    host_name = models.CharField(max_length=128, blank=True)
    timezone_hours = models.FloatField(null=True, blank=True, help_text="UTC offset the camera reports.")
    dst = models.SmallIntegerField(null=True, blank=True)
    hw_platform = models.CharField(max_length=128, blank=True)
    serial_number = models.CharField(max_length=128, blank=True)
    device_type = models.CharField(max_length=128, blank=True)
    sw_release = models.CharField(max_length=128, blank=True)
    interface_version = models.CharField(max_length=128, blank=True)
    # Brickstream 2300 and HX-CCD21 V2.1 additions (the Wi-Fi password is never kept).
    division_id = models.CharField(max_length=128, blank=True)
    external_id = models.CharField(max_length=128, blank=True)
    timezone_name = models.CharField(max_length=128, blank=True)
    http_port = models.PositiveIntegerField(null=True, blank=True)
    https_port = models.PositiveIntegerField(null=True, blank=True)
    wifi_ssid = models.CharField("Wi-Fi SSID", max_length=128, blank=True)
    # The TransmitTime the properties above come from: a late, older document never overwrites them.
    properties_transmit_time = models.DateTimeField(null=True, blank=True)
    last_document_kind = models.CharField(max_length=16, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # Health (devices.health): data flows only while data documents (Metrics, RTMetrics) are
    # accepted; Diags heartbeats alone say the camera is up, not that its counts arrive.
    last_data_at = models.DateTimeField(
        null=True, blank=True, help_text="Receive time of the last accepted data document (Metrics, RTMetrics)."
    )
    last_refused_at = models.DateTimeField(
        null=True, blank=True, help_text="Receive time of the last refused data document."
    )
    last_refusal_reason = models.CharField(max_length=500, blank=True)
    # No database constraint and no cascade: the daily purge deletes documents in bulk, and a
    # refusal older than the retention is long past the inactivity timeout (never shown).
    last_refused_document = models.ForeignKey(
        "devices.ReceivedDocument",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["store", "device_id"]
        constraints = [models.UniqueConstraint(fields=["store", "device_id"], name="device_id_unique_per_store")]

    def __str__(self) -> str:
        return f"{self.device_id} ({self.name})" if self.name else self.device_id


class MinuteCount(models.Model):
    """One ``<Count>`` of a device: the crossings of one interval (usually a minute) of one object type."""

    # Indexed by the unique key below, which starts with the device (no second index to write).
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="counts", db_index=False)
    object_type = models.PositiveSmallIntegerField(choices=ObjectType.choices)
    period_start = models.DateTimeField(help_text="UTC start of the interval.")
    interval = models.PositiveSmallIntegerField(help_text="Length of the interval in minutes.")
    enters = models.PositiveIntegerField()
    exits = models.PositiveIntegerField()
    passings = models.PositiveIntegerField()
    returns = models.PositiveIntegerField()
    status = models.IntegerField(default=0)
    # Supersede rule: a count replaces this one only with a TransmitTime >= this.
    transmit_time = models.DateTimeField()
    received_at = models.DateTimeField()
    # A minute folded from per-second counts (Interval="0"): {"<second>": [enters, exits, passings,
    # returns, status, transmit µs since epoch]}; the measures above are their sums. Null for a
    # count the camera reported for the whole interval.
    seconds = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["device", "-period_start", "object_type"]
        constraints = [
            models.UniqueConstraint(fields=["device", "object_type", "period_start"], name="minute_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.object_type} {stamp(self, self.period_start)}"


class HourlyFootfall(models.Model):
    """Sum of a device's counts of one object type over one UTC hour (kept by the ingest service)."""

    # Both keys lead an index below (the unique key, the store read index): no single-column ones.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="device_hourly_footfall", db_index=False)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="hourly", db_index=False)
    object_type = models.PositiveSmallIntegerField(choices=ObjectType.choices)
    hour = models.DateTimeField(help_text="UTC start of the hour.")
    enters = models.PositiveBigIntegerField(default=0)
    exits = models.PositiveBigIntegerField(default=0)
    passings = models.PositiveBigIntegerField(default=0)
    returns = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "hourly footfall"
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["device", "object_type", "hour"], name="device_hourly_footfall_key"),
        ]
        indexes = [models.Index(fields=["store", "object_type", "hour"], name="device_hourly_store_type_hour")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.object_type} {stamp(self, self.hour)}"


class DemographicKind(models.TextChoices):
    """The ObjectType 3 children of HX-CCD21 V2.1 firmware (``devices.xml.DEMOGRAPHIC_FIELDS``)."""

    GENDER = "gender", "Gender"
    AGE = "age", "Age"
    WORK_CARD = "workcard", "Work card"


# Camera demographic measures, in the vendor's order: (column, the attribute the camera sends).
# The age bands are the camera's own and are kept as they are (docs/devices.md relates them to
# the sender's 18–30 / 30–50 / 50+); ``work_card`` counts people wearing a staff work card.
DEMOGRAPHIC_MEASURES = (
    ("male", "maleNum"),
    ("female", "femaleNum"),
    ("unknown_gender", "unknownGenderNum"),
    ("age_under_10", "ageLess10Num"),
    ("age_10_16", "age10to16Num"),
    ("age_17_30", "age17to30Num"),
    ("age_31_45", "age31to45Num"),
    ("age_46_60", "age46to60Num"),
    ("age_over_60", "ageOver60Num"),
    ("unknown_age", "unknownAgeNum"),
    ("work_card", "workCardNum"),
)
DEMOGRAPHIC_COLUMNS = tuple(column for column, _ in DEMOGRAPHIC_MEASURES)
COLUMN_OF_ATTRIBUTE = {attribute: column for column, attribute in DEMOGRAPHIC_MEASURES}


class DemographicCount(models.Model):
    """One ``GenderCount``/``AgeCount``/``WorkCardCount`` of a device: one kind over one interval.

    The demographic twin of ``MinuteCount``: same key shape (device, kind, period start in UTC),
    same supersede rule (``transmit_time``), per-second V2.1 records folded into their minute
    in ``seconds``. ``values`` maps the kind's columns (``DEMOGRAPHIC_COLUMNS``) to counts.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="demographic_counts", db_index=False)
    kind = models.CharField(max_length=8, choices=DemographicKind.choices)
    period_start = models.DateTimeField(help_text="UTC start of the interval.")
    interval = models.PositiveSmallIntegerField(help_text="Length of the interval in minutes.")
    values = models.JSONField(help_text="The kind's measures: {column: count}.")
    status = models.IntegerField(default=0)
    transmit_time = models.DateTimeField()
    received_at = models.DateTimeField()
    # Folded per-second records (Interval="0"): {"<second>": [values in the kind's column order...,
    # status, transmit µs since epoch]}; ``values`` are their sums. Null for a whole interval.
    seconds = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["device", "-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["device", "kind", "period_start"], name="demographic_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.period_start:%Y-%m-%d %H:%M}"


class HourlyDemographics(models.Model):
    """Sum of a device's camera demographics over one UTC hour (kept by the ingest service).

    Always the sum of the device's ``DemographicCount`` rows of the hour, kept by adding the
    difference between each new interval and the one it supersedes (as ``HourlyFootfall``).
    """

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="device_hourly_demographics", db_index=False
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="hourly_demographics", db_index=False)
    hour = models.DateTimeField(help_text="UTC start of the hour.")
    male = models.PositiveBigIntegerField(default=0)
    female = models.PositiveBigIntegerField(default=0)
    unknown_gender = models.PositiveBigIntegerField(default=0)
    age_under_10 = models.PositiveBigIntegerField(default=0)
    age_10_16 = models.PositiveBigIntegerField(default=0)
    age_17_30 = models.PositiveBigIntegerField(default=0)
    age_31_45 = models.PositiveBigIntegerField(default=0)
    age_46_60 = models.PositiveBigIntegerField(default=0)
    age_over_60 = models.PositiveBigIntegerField(default=0)
    unknown_age = models.PositiveBigIntegerField(default=0)
    work_card = models.PositiveBigIntegerField(default=0, help_text="People wearing a staff work card.")

    class Meta:
        verbose_name_plural = "hourly demographics"
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["device", "hour"], name="device_hourly_demographics_key"),
        ]
        indexes = [models.Index(fields=["store", "hour"], name="device_demographics_store_hour")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.hour:%Y-%m-%d %H:00}"


class Outcome(models.TextChoices):
    # A push the parser accepted is kept as pending and answered; the applier (devices.applier)
    # applies it in a batch and marks it accepted. Refusals are answered and kept as rejected.
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ReceivedDocument(models.Model):
    """A document exactly as a camera sent it, kept for a retention period to inspect and replay."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="device_documents")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents")
    # The DeviceId as sent (best effort for a document that did not parse), for replay by device.
    device_key = models.CharField(max_length=64, blank=True)  # indexed with received_at (replay)
    kind = models.CharField(max_length=16, blank=True, help_text="Root element: Metrics, RTMetrics or Diags.")
    # Stored in ``body_encoding`` (devices.compression); ``raw_body()`` gives the document back.
    body = models.BinaryField()
    body_encoding = models.CharField(max_length=8, blank=True, default="")
    size = models.PositiveIntegerField(help_text="Bytes as received.")
    content_type = models.CharField(max_length=200, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)
    records = models.PositiveIntegerField(default=0, help_text="Count records in the document.")
    applied = models.PositiveIntegerField(default=0, help_text="Records that were new or superseded older ones.")
    applied_at = models.DateTimeField(null=True, blank=True, help_text="When the applier applied it.")
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        # Every push writes a row here, so every index is paid per push: replay finds documents
        # by DeviceId and time (the store, when given, filters those few), purge by time alone;
        # the applier claims the pending ones oldest first (a partial index: applied rows leave it).
        indexes = [
            models.Index(fields=["device_key", "received_at"], name="device_document_by_key"),
            models.Index(fields=["received_at", "id"], name="device_document_pending", condition=Q(outcome="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.kind or '?'} {self.device_key or '?'} @ {stamp(self, self.received_at)} {self.outcome}"

    def raw_body(self) -> bytes:
        """The kept document (passwords redacted), decompressed."""
        from devices import compression

        return compression.decode(self.body, self.body_encoding)
