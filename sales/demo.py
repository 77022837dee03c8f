"""Demo till data: a week of hourly totals at two tills, consistent with the demo footfall.

Each open hour gets transactions at 15–35 % of that hour's visitors (``visitors_by_hour``: the
cameras' counts where the store has devices, else the sender's), so the dashboards show a
plausible conversion. Where the footfall demo has not run (yet), the visitors are taken from the
same day curve it uses (``analytics.demo.traffic_curve``). Reproducible per store.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from analytics.demo import CLOSE_HOUR, OPEN_HOUR, traffic_curve
from sales import rollup
from sales.models import HourlySales
from sales.selectors import visitors_by_hour
from stores.models import Store

TILLS = ("Kasa-1", "Kasa-2")


@transaction.atomic
def load(store: Store, days: int = 7, seed: int = 19) -> int:
    """Write ``days`` local days ending today (up to the current hour); returns the rows written."""
    rng = random.Random(f"{seed}-{store.pk}")  # noqa: S311 - demo data, reproducible on purpose
    tz = ZoneInfo(store.timezone)
    now = datetime.now(UTC)
    today = now.astimezone(tz).date()
    first = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=tz).astimezone(UTC)
    visitors = visitors_by_hour(store, first, now)
    average_ticket = rng.uniform(250, 450)  # TRY; a store's own price level
    rows = []
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        for local_hour in range(OPEN_HOUR, CLOSE_HOUR):
            hour = datetime.combine(day, time(local_hour), tzinfo=tz).astimezone(UTC)
            if hour > now:
                break
            people = visitors.get(hour)
            if people is None:
                people = max(1, int(60 * traffic_curve(local_hour)))
            transactions = round(people * rng.uniform(0.15, 0.35))
            split = rng.uniform(0.45, 0.7)
            for till, share in zip(TILLS, (split, 1 - split), strict=True):
                count = round(transactions * share)
                revenue = Decimal(count * average_ticket * rng.uniform(0.8, 1.2)).quantize(Decimal("0.01"))
                rows.append(
                    HourlySales(
                        store=store,
                        till=till,
                        hour=hour,
                        transactions=count,
                        revenue=revenue if count else Decimal(0),
                        items=count * rng.randint(1, 4),
                        currency=store.currency,
                    )
                )
    HourlySales.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["store", "hour", "till"],
        update_fields=["transactions", "revenue", "items", "currency"],
    )
    # A bulk write sends no signals: the brand comparison's days (sales.rollup) follow here.
    rollup.refresh(store.pk, [row.hour for row in rows])
    return len(rows)
