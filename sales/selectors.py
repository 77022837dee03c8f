"""Reads of till data and the figures built on it: conversion, average transaction value,
sales per visitor.

Conversion is transactions / visitors **of the same hours**: an hour counts only when both a
till total and a visitor count exist for it, so a till that reports while the door counter is
down (or the reverse) leaves the hour out instead of producing 0 % or 400 %. A period where no
hour has both sides has no conversion (``None``, shown as "—"), never 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from analytics.models import HourlyCustomers
from sales.models import HourlySales
from stores.models import Store
from stores.reporting import ReportRange

CENT = Decimal("0.01")


def visitors_source(store: Store) -> str:
    """``camera`` when the store has people-counting devices (they count the door itself),
    else ``sender`` (the store AI's ``entered``)."""
    from devices.models import Device

    return "camera" if Device.objects.filter(store=store).exists() else "sender"


def visitors_by_hour(
    store: Store, start_utc: datetime, end_utc: datetime, *, source: str | None = None
) -> dict[datetime, int]:
    """``{utc_hour: visitors}`` over ``[start_utc, end_utc)``: the cameras' enters (object type 0,
    every device summed) when the store has devices, else the sender's ``entered``; staff taken
    out when ``store.subtract_staff``. Hours nobody counted are absent (not 0). ``source``
    (``visitors_source(store)``) saves its query when the caller already knows it."""
    if (source or visitors_source(store)) == "camera":
        from devices.selectors import camera_visitors_by_hour

        # Staff (work cards, counted by the cameras) come off here, by the footfall's own rule.
        return camera_visitors_by_hour(store, start_utc, end_utc)
    rows = (
        HourlyCustomers.objects.filter(store=store, hour__gte=start_utc, hour__lt=end_utc, entered__isnull=False)
        .values("hour")
        .annotate(visitors=Sum("entered"))
        .values_list("hour", "visitors")
        .order_by()
    )
    return {hour.astimezone(UTC): int(count) for hour, count in rows}


@dataclass
class Till:
    """Till totals of one hour (every till of the store summed)."""

    transactions: int
    revenue: Decimal
    items: int | None


def sales_by_hour(store: Store, start_utc: datetime, end_utc: datetime) -> dict[datetime, Till]:
    rows = (
        HourlySales.objects.filter(store=store, hour__gte=start_utc, hour__lt=end_utc)
        .values("hour")
        .annotate(transactions=Sum("transactions"), revenue=Sum("revenue"), items=Sum("items"))
        .values_list("hour", "transactions", "revenue", "items")
        .order_by()
    )
    return {hour.astimezone(UTC): Till(int(t), Decimal(r), None if i is None else int(i)) for hour, t, r, i in rows}


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Till and visitor figures of a set of hours (a period, a day, a store's window)."""

    transactions: int | None = None
    revenue: Decimal | None = None
    items: int | None = None
    visitors: int | None = None
    matched_transactions: int = 0
    matched_revenue: Decimal = Decimal(0)
    matched_visitors: int = 0
    hours_matched: int = 0

    def add_sales(self, till: Till) -> None:
        self.transactions = (self.transactions or 0) + till.transactions
        self.revenue = (self.revenue or Decimal(0)) + till.revenue
        if till.items is not None:
            self.items = (self.items or 0) + till.items

    def add_visitors(self, count: int) -> None:
        self.visitors = (self.visitors or 0) + count

    def add_match(self, till: Till, visitors: int) -> None:
        self.matched_transactions += till.transactions
        self.matched_revenue += till.revenue
        self.matched_visitors += visitors
        self.hours_matched += 1

    @property
    def conversion(self) -> float | None:
        """Percent, one decimal; None without an hour that has both sides (or no visitors in them)."""
        return conversion(self.matched_transactions, self.matched_visitors, self.hours_matched)

    @property
    def average_transaction_value(self) -> Decimal | None:
        if not self.transactions:
            return None
        return money(self.revenue / self.transactions)

    @property
    def sales_per_visitor(self) -> Decimal | None:
        if not self.hours_matched or not self.matched_visitors:
            return None
        return money(self.matched_revenue / self.matched_visitors)


def conversion(transactions: int, visitors: int, hours_matched: int = 1) -> float | None:
    """Transactions / visitors in percent (one decimal); None when nothing can be compared."""
    if not hours_matched or not visitors:
        return None
    return round(transactions / visitors * 100, 1)


def combine(visitors: dict[datetime, int], sales: dict[datetime, Till], bucket) -> dict[datetime, Figures]:
    """Figures per ``bucket(hour)``: sums of each side, and the matched sums of hours with both."""
    result: dict[datetime, Figures] = {}
    for hour, count in visitors.items():
        result.setdefault(bucket(hour), Figures()).add_visitors(count)
    for hour, till in sales.items():
        figures = result.setdefault(bucket(hour), Figures())
        figures.add_sales(till)
        if hour in visitors:
            figures.add_match(till, visitors[hour])
    return result


def period_bucket(rng: ReportRange):
    """The report's periods: the UTC hour itself, or the start of its local day (in UTC)."""
    if rng.granularity == "hour":
        return lambda hour: hour

    def day(hour: datetime) -> datetime:
        local = hour.astimezone(rng.tz)
        return datetime.combine(local.date(), datetime.min.time(), tzinfo=rng.tz).astimezone(UTC)

    return day


def sales_report(store: Store, rng: ReportRange) -> list[dict[str, Any]]:
    """Per period with till data: the till sums, the period's visitors and the derived figures."""
    visitors = visitors_by_hour(store, rng.start_utc, rng.end_utc)
    sales = sales_by_hour(store, rng.start_utc, rng.end_utc)
    periods = combine(visitors, sales, period_bucket(rng))
    return [
        {"period": moment.astimezone(rng.tz), "figures": figures}
        for moment, figures in sorted(periods.items())
        if figures.transactions is not None
    ]


def summary(store: Store, rng: ReportRange, source: str | None = None) -> Figures:
    """One set of figures for the whole range (the store page's headline)."""
    visitors = visitors_by_hour(store, rng.start_utc, rng.end_utc, source=source)
    sales = sales_by_hour(store, rng.start_utc, rng.end_utc)
    return combine(visitors, sales, lambda hour: rng.start_utc).get(rng.start_utc, Figures())


def change(current, previous) -> float | None:
    """Relative change in percent (one decimal); None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round(float((current - previous) / previous * 100), 1)


def store_panel(store: Store, rng: ReportRange, previous: ReportRange) -> dict[str, Any]:
    """The store page's till panel: the period's figures against the previous period's, and
    the figures per period of the page (hours or days). Five queries."""
    source = visitors_source(store)
    visitors = visitors_by_hour(store, rng.start_utc, rng.end_utc, source=source)
    sales = sales_by_hour(store, rng.start_utc, rng.end_utc)
    total = combine(visitors, sales, lambda hour: None).get(None, Figures())
    before = summary(store, previous, source)
    rows = [
        {"period": moment.astimezone(rng.tz), "figures": figures}
        for moment, figures in sorted(combine(visitors, sales, period_bucket(rng)).items())
    ]
    return {
        "currency": store.currency,
        "source": source,
        "total": total,
        "previous": before,
        "change": {
            "conversion": change(total.conversion, before.conversion),
            "revenue": change(total.revenue, before.revenue),
            "transactions": change(total.transactions, before.transactions),
        },
        "rows": rows,
        "has_sales": total.transactions is not None or before.transactions is not None,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(money(value))


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A report row for JSON: decimals as strings (exact), times ISO 8601 with offset."""
    f: Figures = row["figures"]
    return {
        "period": row["period"].isoformat(),
        "transactions": f.transactions,
        "revenue": _text(f.revenue),
        "items": f.items,
        "visitors": f.visitors,
        "conversion": f.conversion,
        "average_transaction_value": _text(f.average_transaction_value),
        "sales_per_visitor": _text(f.sales_per_visitor),
        "hours_matched": f.hours_matched,
    }


def conversion_today(stores: list[Store], now: datetime) -> dict[int, float | None]:
    """Each store's conversion so far today (its own calendar day); one statement per distinct
    local date among the stores (one, except around midnight across time zones)."""
    from zoneinfo import ZoneInfo

    from analytics.comparison import brand_figures

    by_day: dict = {}
    for store in stores:
        by_day.setdefault(now.astimezone(ZoneInfo(store.timezone)).date(), []).append(store)
    result: dict[int, float | None] = {}
    for day, group in by_day.items():
        figures = brand_figures(group, day, day, now, compare=False)
        for store in group:
            totals = figures.totals[store.pk].get("current")
            result[store.pk] = totals.conversion if totals else None
    return result
