"""Hourly analytics rows, one per upsert key of SPEC §3; ``hour`` is the UTC hour start."""

from django.db import models

from stores.models import Cashier, Store, Zone

DEMOGRAPHIC_FIELDS = ("male_count", "female_count", "age_18_30", "age_30_50", "age_50_plus")
COUNT_FIELDS = ("entered", "exited", "customers_inside")
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
        return f"{self.store_id} {self.camera_id or '-'} {self.hour:%Y-%m-%d %H:00}"


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
        return f"{self.zone} {self.hour:%Y-%m-%d %H:00}"


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
        return f"{self.cashier} {self.hour:%Y-%m-%d %H:00}"
