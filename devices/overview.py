"""Device reads for many stores at once (store list, brand comparison).

The per-store selectors cost a query or two per store; a brand page of 100 stores must not.
Stores whose report windows coincide (the same time zone) share one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Sum

from devices.health import ONLINE, state_of
from devices.models import HourlyFootfall
from stores.models import Store
from stores.reporting import Window, array_literal, group_by_window


def hourly_counts_by_store(windows: dict[int, Window], object_type: int = 0) -> dict[int, dict[datetime, list[int]]]:
    """``{store_id: {utc_hour: [enters, exits]}}`` from the hourly rollup, summed over devices."""
    counts: dict[int, dict[datetime, list[int]]] = defaultdict(dict)
    for (start, end), store_ids in group_by_window(windows).items():
        rows = (
            HourlyFootfall.objects.filter(
                store_id__in=store_ids, object_type=object_type, hour__gte=start, hour__lt=end
            )
            .values("store_id", "hour")
            .annotate(enters=Sum("enters"), exits=Sum("exits"))
            .values_list("store_id", "hour", "enters", "exits")
            .order_by()
        )
        for store_id, hour, enters, exits in rows:
            counts[store_id][hour] = [enters or 0, exits or 0]
    return counts


# Each device's two health columns, for ``devices.health.state_of`` (the one place the rule is
# decided) to judge here. The ORM aggregate this replaced, one per distinct timeout with
# ``online_q`` as its filter and ``store_id__in`` the store ids, cost ~1.6 ms of this process's
# CPU to build for 100 stores; this statement ~0.15 ms, and a device row ~1 µs to judge.
_DEVICE_HEALTH_SQL = """
SELECT store_id, last_data_at, last_refused_at FROM devices_device WHERE store_id = ANY(%s::bigint[])
"""


def device_status_by_store(stores: Iterable[Store], now: datetime) -> dict[int, tuple[int, int]]:
    """``{store_id: (devices, offline)}`` with each store's own inactivity timeout.

    One query whatever the stores and their timeouts. Offline is every device whose state
    (``devices.health``) is not ``online``: refusing and silent alike, since neither delivers
    counts; a data document received exactly at the timeout still counts, as in ``device_health``.
    """
    timeouts = {store.pk: store.inactivity_timeout for store in stores}
    devices = dict.fromkeys(timeouts, 0)
    offline = dict.fromkeys(timeouts, 0)
    if timeouts:
        with connection.cursor() as cursor:
            cursor.execute(_DEVICE_HEALTH_SQL, [array_literal(timeouts)])
            for store_id, last_data_at, last_refused_at in cursor.fetchall():
                devices[store_id] += 1
                if state_of(last_data_at, last_refused_at, now, timeouts[store_id]) != ONLINE:
                    offline[store_id] += 1
    return {store_id: (devices[store_id], offline[store_id]) for store_id in timeouts}
