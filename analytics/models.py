"""Hourly analytics rows, one per upsert key of SPEC §3; ``hour`` is the UTC hour start."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from stores.local_time import stamp
from stores.models import Cashier, Store, Zone

DEMOGRAPHIC_FIELDS = ("male_count", "female_count", "age_18_30", "age_30_50", "age_50_plus")
# People in and out: what footfall and occupancy are made of (customers_inside is a reading).
FLOW_FIELDS = ("entered", "exited")
COUNT_FIELDS = (*FLOW_FIELDS, "customers_inside")
CUSTOMER_FIELDS = COUNT_FIELDS + DEMOGRAPHIC_FIELDS


class HourlyCustomers(models.Model):
    """Footfall and demographics of one store camera for one hour.

    Every measure is nullable: a field no payload has sent yet is unknown, not zero, and a
    later demographics-only payload must not erase the counts sent before it.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="hourly_customers")
    camera_id = models.CharField(max_length=100, blank=True, default="")
    hour = models.DateTimeField()
    entered = models.PositiveIntegerField(null=True, blank=True)
    exited = models.PositiveIntegerField(null=True, blank=True)
    customers_inside = models.PositiveIntegerField(null=True, blank=True)
    male_count = models.PositiveIntegerField(null=True, blank=True)
    female_count = models.PositiveIntegerField(null=True, blank=True)
    age_18_30 = models.PositiveIntegerField(null=True, blank=True)
    age_30_50 = models.PositiveIntegerField(null=True, blank=True)
    age_50_plus = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "hourly customers"
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["store", "camera_id", "hour"], name="hourly_customers_key"),
        ]
        indexes = [models.Index(fields=["store", "hour"], name="hourly_customers_store_hour")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.camera_id or '-'} {stamp(self, self.hour)}"


class HourlyZoneHeatmap(models.Model):
    """Visitors and average dwell time (``intensity``, seconds) in one zone for one hour."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="hourly_heatmaps")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="hourly_heatmaps")
    camera_id = models.CharField(max_length=100, blank=True, default="")
    hour = models.DateTimeField()
    visitor_count = models.PositiveIntegerField()
    intensity = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["store", "zone", "camera_id", "hour"], name="hourly_heatmap_key"),
        ]
        indexes = [models.Index(fields=["store", "hour"], name="hourly_heatmap_store_hour")]

    def __str__(self) -> str:
        return f"{self.zone} {stamp(self, self.hour)}"


class HourlyQueue(models.Model):
    """Customers served and average wait (seconds) at one checkout for one hour."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="hourly_queues")
    cashier = models.ForeignKey(Cashier, on_delete=models.CASCADE, related_name="hourly_queues")
    hour = models.DateTimeField()
    total_customers = models.PositiveIntegerField()
    wait_time = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-hour"]
        constraints = [models.UniqueConstraint(fields=["store", "cashier", "hour"], name="hourly_queue_key")]
        indexes = [models.Index(fields=["store", "hour"], name="hourly_queue_store_hour")]

    def __str__(self) -> str:
        return f"{self.cashier} {stamp(self, self.hour)}"


class StoreDay(models.Model):
    """Footfall and occupancy peak of one store over one business day, per count source.

    A business day runs from the store's opening hour to the next one, in its own time zone
    (occupancy resets there, so each day is independent of the others). The brand page sums
    these rows instead of re-deriving a month of hourly rows on every request. Ingest keeps them
    current (``analytics.storedays``); a row exists only for days that have counts.
    ``starts_at``/``ends_at`` are the day's UTC bounds under the time zone and opening hour of
    when it was computed (changing either rebuilds the store's rows).

    A calendar-day range (the brand page's) cuts business days at local midnight: it starts in
    the part of a business day after midnight and ends in the part before it. Both parts are
    kept too, so a past range needs no hourly row at all: ``before_midnight_*`` covers opening
    hour → local midnight (the day's start, so its peak is the day's running occupancy there),
    ``after_midnight_*`` local midnight → next opening with occupancy counted from midnight (as
    a range starting at midnight counts it). NULL where the part has no hours with counts.
    """

    class Source(models.TextChoices):
        SENDER = "sender", _("Sender")
        CAMERA = "camera", _("Camera")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="store_days")
    source = models.CharField(max_length=6, choices=Source.choices)
    business_date = models.DateField()
    footfall = models.BigIntegerField()
    occupancy_peak = models.BigIntegerField()
    before_midnight_footfall = models.BigIntegerField(null=True, blank=True)
    before_midnight_peak = models.BigIntegerField(null=True, blank=True)
    after_midnight_footfall = models.BigIntegerField(null=True, blank=True)
    after_midnight_peak = models.BigIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-business_date", "store", "source"]
        constraints = [
            models.UniqueConstraint(fields=["store", "source", "business_date"], name="store_day_key"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.source} {self.business_date}"


# --- keeping StoreDay current on single-row ORM writes ---------------------------------------------
# Ingest, the demo loaders and the bench refresh the rollup explicitly, once per batch (bulk
# writes send no signals; the per-record paths run under ``storedays.deferred()``). These
# receivers cover everything else that saves one hourly row through the ORM (the admin, a shell
# fix, fixtures), so the brand page never reads a day that misses a row written that way.


@receiver(post_save, sender=HourlyCustomers)
def _customers_saved(sender, instance: HourlyCustomers, raw: bool = False, **kwargs) -> None:
    from analytics import storedays

    if not raw and not storedays.is_deferred():
        storedays.refresh(instance.store_id, storedays.SENDER, [instance.hour])


@receiver(post_save, sender="devices.HourlyFootfall")
def _footfall_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from analytics import storedays

    if not raw and instance.object_type == 0 and not storedays.is_deferred():
        storedays.refresh(instance.store_id, storedays.CAMERA, [instance.hour])


@receiver(post_delete, sender="devices.Device")
def _device_deleted(sender, instance, **kwargs) -> None:
    """A device's hourly rows go with it (a cascade, no per-row signal): its store's days follow."""
    from analytics import storedays

    storedays.rebuild([instance.store_id])


class SenderClock(models.Model):
    """The last pushes' clock readings of a store's sender (``analytics.sender_clock``).

    One row per store, rewritten by one statement per push: ``samples`` holds, for the last
    ``SAMPLES`` pushes, the minutes between the newest hour a push stamped and its receive time
    (stamped − received), which tell a store PC that stamps local time as UTC from one that is right.
    """

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="sender_clock")
    samples = ArrayField(models.IntegerField(), default=list, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.store_id} sender clock ({len(self.samples)} samples)"
