"""Till (POS) totals, one row per upsert key (store, hour, till or ""); ``hour`` is the UTC hour start;
and the per store-day rollup the brand comparison reads (``ConversionDay``)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from stores.models import Store


class HourlySales(models.Model):
    """Transactions, revenue and items rung up at one till of a store in one UTC hour.

    ``till`` is "" for a store that sends one total. ``revenue`` is in ``currency``, the
    store's currency when the row was written (a sender naming another currency is refused)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="hourly_sales")
    till = models.CharField(max_length=100, blank=True, default="")
    hour = models.DateTimeField()
    transactions = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    items = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "hourly sales"
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["store", "hour", "till"], name="hourly_sales_key"),
            models.CheckConstraint(condition=models.Q(revenue__gte=0), name="hourly_sales_revenue_not_negative"),
        ]
        # The brand comparison sums every till of a store's hours: covered by this index, the
        # read is an index-only scan instead of one heap page per row (rows of a store lie far
        # apart, written hour by hour among all stores').
        indexes = [
            models.Index(fields=["store", "hour"], include=["transactions", "revenue"], name="hourly_sales_store_hour")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.till or '-'} {self.hour:%Y-%m-%d %H:00}"


class ConversionDay(models.Model):
    """What the brand comparison reads of one store's local calendar day, for one visitor source
    (kept by ``sales.rollup`` from the hourly rows; never written by hand).

    Two rows per store-day, ``sender`` and ``camera``: which one counts is decided when reading
    (the store has devices or not), so a store's first camera changes nothing stored. Both
    carry the day's till totals. ``visitors`` are that source's (camera enters less staff where
    ``Store.subtract_staff``); ``matched_*`` sum only the hours that have both a till total and
    a visitor count (conversion's hours). NULL: nothing of that side in the day.

    The ``hour_*`` arrays hold, for the hour × weekday heatmap, the same sums per local hour of
    the day: 24 positions, position n = local hour n (a DST fall-back day's repeated hour summed
    into one), NULL where the hour has nothing of that side. Fixed positions so a period's
    heatmap is ``sum(hour_visitors[n])`` per position over its day rows (~0.2 µs per value, 4×
    cheaper than unnesting sparse arrays into rows: docs/performance.md)."""

    class Source(models.TextChoices):
        SENDER = "sender"
        CAMERA = "camera"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="conversion_days", db_index=False)
    source = models.CharField(max_length=6, choices=Source.choices)
    day = models.DateField(help_text="The store's local calendar day.")
    visitors = models.BigIntegerField(null=True, blank=True)
    transactions = models.BigIntegerField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    items = models.BigIntegerField(null=True, blank=True)
    matched_visitors = models.BigIntegerField(default=0)
    matched_transactions = models.BigIntegerField(default=0)
    matched_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    hours_matched = models.IntegerField(default=0)
    hour_visitors = ArrayField(models.IntegerField(null=True), size=24)
    hour_transactions = ArrayField(models.IntegerField(null=True), size=24)
    hour_matched_visitors = ArrayField(models.IntegerField(null=True), size=24)
    hour_matched_transactions = ArrayField(models.IntegerField(null=True), size=24)
    hour_matched = ArrayField(models.IntegerField(null=True), size=24)
    hour_mask = models.IntegerField(default=0, help_text="Bit n: local hour n has visitors or transactions.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "store", "source"]
        constraints = [
            # Covering: a past period's totals are read index-only (the arrays stay in the heap).
            models.UniqueConstraint(
                fields=["store", "source", "day"],
                include=[
                    "visitors",
                    "transactions",
                    "revenue",
                    "matched_visitors",
                    "matched_transactions",
                    "matched_revenue",
                    "hours_matched",
                    "hour_mask",
                ],
                name="conversion_day_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.source} {self.day}"
