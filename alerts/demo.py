"""Demo: one store with a blocked counter, and alert rules for the demo brand.

``load(store, days)`` is called by the demo command for every store; it acts on the demo's main
store only (``BLOCKED_STORE_CODE``). There a third counting camera gets six weeks and ``days``
days of normal hourly history, except its last ``BLOCKED_HOURS`` open hours, which count 0
while the camera stays online: the blocked lens the anomaly check is for. Then the checker runs
once, so the anomaly shows on the store page and in the brand view at once (and the demo rule's
e-mail prints on the console with the local settings). Running it again rewrites the same rows.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from alerts import anomalies
from alerts.models import AlertRule, BrandAlertSettings, Kind
from analytics import storedays
from analytics.demo import CLOSE_HOUR, OPEN_HOUR, traffic_curve
from devices.models import Device, HourlyFootfall
from stores.models import Store

# The demo command's first store ("AVM İstanbul"); every other store is left alone.
BLOCKED_STORE_CODE = "boyner-avm-istanbul"
DEVICE_ID, DEVICE_NAME = "CAM-PARKING-3", "Car park entrance"
BLOCKED_HOURS = 4
HOURLY_VISITORS = 30.0
DEMO_RECIPIENT = "ops@boyner.example"


def last_open_hours(now: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    """UTC starts of the last ``count`` complete hours the demo store is open."""
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    found = []
    while len(found) < count:
        if OPEN_HOUR <= hour.astimezone(tz).hour < CLOSE_HOUR and traffic_curve(hour.astimezone(tz).hour) > 0.3:
            found.append(hour)
        hour -= timedelta(hours=1)
    return found


@transaction.atomic
def load(store: Store, days: int = 7, seed: int = 7) -> int:
    """The blocked counter and the demo rules for the demo's main store; 0 (nothing) elsewhere."""
    if store.code != BLOCKED_STORE_CODE:
        return 0
    from devices.demo import _poisson

    rng = random.Random(f"{seed}-alerts-{store.pk}")  # noqa: S311 - demo data, reproducible on purpose
    tz = ZoneInfo(store.timezone)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = (now - timedelta(weeks=anomalies.HISTORY_WEEKS, days=max(days, 1) + 1)).replace(minute=0)
    device, _ = Device.objects.update_or_create(
        store=store,
        device_id=DEVICE_ID,
        # Online (its counts arrive, devices.health) yet counting nothing: the blocked lens.
        defaults={"name": DEVICE_NAME, "last_seen": now, "last_data_at": now, "last_document_kind": "Metrics"},
        create_defaults={
            "name": DEVICE_NAME,
            "first_seen": start,
            "last_seen": now,
            "last_data_at": now,
            "last_document_kind": "Metrics",
        },
    )
    HourlyFootfall.objects.filter(device=device).delete()
    # covered since the start of the last few busy hours: every hour after that counts 0 too
    covered_from = min(last_open_hours(now, tz, BLOCKED_HOURS))
    rows = []
    hour = start
    while hour + timedelta(hours=1) <= now:
        mean = HOURLY_VISITORS * traffic_curve(hour.astimezone(tz).hour)
        enters = 0 if hour >= covered_from else _poisson(rng, mean)
        rows.append(HourlyFootfall(store=store, device=device, object_type=0, hour=hour, enters=enters, exits=enters))
        hour += timedelta(hours=1)
    HourlyFootfall.objects.bulk_create(rows, batch_size=2000)
    storedays.rebuild([store.pk])

    rule, _ = AlertRule.objects.update_or_create(
        tenant=store.tenant,
        name="Demo operations",
        defaults={"channel": "email", "recipient": DEMO_RECIPIENT, "kinds": [kind.value for kind in Kind]},
    )
    BrandAlertSettings.objects.get_or_create(tenant=store.tenant)

    from alerts import checks

    checks.check_store(store, now)
    return len(rows)
