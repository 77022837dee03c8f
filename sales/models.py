"""Till (POS) totals, one row per upsert key (store, hour, till or ""); ``hour`` is the UTC hour start."""

from __future__ import annotations

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
