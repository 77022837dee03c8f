"""Device reads for many stores at once (store list, brand comparison).

The per-store selectors cost a query or two per store; a brand page of 100 stores must not.
Stores whose report windows coincide (the same time zone) share one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Sum

from devices.health import online_q
from devices.models import Device, HourlyFootfall
from stores.models import Store
from stores.reporting import Window, group_by_window


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


def device_status_by_store(stores: Iterable[Store], now: datetime) -> dict[int, tuple[int, int]]:
    """``{store_id: (devices, offline)}`` with each store's own inactivity timeout.

    Counted by the database, one aggregate query per distinct timeout (stores usually share
    one), instead of loading every device row. Offline is every device whose state
    (``devices.health``) is not ``online``: refusing and silent alike, since neither delivers
    counts; a data document received exactly at the timeout still counts, as in ``device_health``.
    """
    by_timeout: dict[timedelta, list[int]] = defaultdict(list)
    for store in stores:
        by_timeout[store.inactivity_timeout].append(store.pk)
    status = {store_id: (0, 0) for store_ids in by_timeout.values() for store_id in store_ids}
    for timeout, store_ids in by_timeout.items():
        rows = (
            Device.objects.filter(store_id__in=store_ids)
            .values("store_id")
            .annotate(devices=Count("id"), offline=Count("id", filter=~online_q(now, timeout)))
            .values_list("store_id", "devices", "offline")
            .order_by()
        )
        for store_id, devices, offline in rows:
            status[store_id] = (devices, offline)
    return status
