"""Read-side aggregations of hourly analytics for the read API and dashboards.

Rows are stored per UTC hour. ``hour`` buckets are those UTC hours shown in the store's time
zone (so a +05:30 store gets honest :30 labels instead of merged hours); ``day`` buckets are
whole local days. Only periods with data are returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, F, FloatField, Max, QuerySet, Sum
from django.db.models.functions import TruncDay

from analytics.models import DEMOGRAPHIC_FIELDS, HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import Store
from stores.reporting import ReportRange


def period_expression(rng: ReportRange):
    return F("hour") if rng.granularity == "hour" else TruncDay("hour", tzinfo=rng.tz)


def in_range(queryset: QuerySet, store: Store, rng: ReportRange) -> QuerySet:
    return queryset.filter(store=store, hour__gte=rng.start_utc, hour__lt=rng.end_utc)


def local_iso(moment: datetime, rng: ReportRange) -> str:
    return moment.astimezone(rng.tz).isoformat()


def weighted_average(weighted_sum: float | None, weight: int | None, plain_average: float | None) -> float | None:
    """Average weighted by counts; with zero weight every row counts the same."""
    if weight:
        return round(weighted_sum / weight, 2)
    return None if plain_average is None else round(plain_average, 2)


def customers_report(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    sums = {name: Sum(name) for name in ("entered", "exited", *DEMOGRAPHIC_FIELDS)}
    rows = (
        in_range(HourlyCustomers.objects, store, rng)
        .annotate(period=period_expression(rng))
        .values("period")
        # Several cameras may each report the whole store's occupancy: the peak, never the sum.
        .annotate(**sums, customers_inside=Max("customers_inside"))
        .order_by("period")
    )
    return [
        {
            "period": local_iso(row["period"], rng),
            **{name: row[name] for name in ("entered", "exited", "customers_inside", *DEMOGRAPHIC_FIELDS)},
        }
        for row in rows
    ]


def weighted_report(
    model, store: Store, rng: ReportRange, *, group: str, label: str, count: str, average: str
) -> list[dict[str, Any]]:
    """Rows per (period, ``group``): ``count`` summed, ``average`` weighted by ``count``."""
    rows = (
        in_range(model.objects, store, rng)
        .annotate(period=period_expression(rng))
        .values("period", group)
        .annotate(
            total=Sum(count),
            weighted=Sum(F(average) * F(count), output_field=FloatField()),
            plain=Avg(average),
        )
        .order_by("period", group)
    )
    return [
        {
            "period": local_iso(row["period"], rng),
            label: row[group],
            count: row["total"],
            average: weighted_average(row["weighted"], row["total"], row["plain"]),
        }
        for row in rows
    ]


def heatmaps_report(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    """Visitors per zone and their average dwell (``intensity``), weighted by visitors."""
    return weighted_report(
        HourlyZoneHeatmap, store, rng, group="zone__name", label="zone", count="visitor_count", average="intensity"
    )


def queues_report(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    """Customers per checkout and their average wait, weighted by customers."""
    return weighted_report(
        HourlyQueue, store, rng, group="cashier__name", label="cashier_id", count="total_customers", average="wait_time"
    )
