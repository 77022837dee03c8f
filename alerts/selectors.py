"""Reads for pages: a store's anomaly findings (computed) and a brand's open anomalies (stored)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alerts import anomalies, sources
from alerts.models import Condition, Kind
from stores.models import Store


def source_label(source: str, label: str) -> str:
    return _("Sender (AI)") if source == sources.SENDER_SOURCE else label


def store_findings(
    store: Store, now: datetime, series: dict[tuple[str, str], dict[datetime, int]] | None = None
) -> list[anomalies.Finding]:
    """Flagged stretches of the last day for every count source of the store, oldest first.

    About 1,000 hourly rows per source (six weeks of history), read in two queries.
    """
    tz = ZoneInfo(store.timezone)
    hours = anomalies.window(now)
    result = []
    if series is None:
        series = sources.count_series(store, now)
    for (source, label), counts in sorted(series.items()):
        checks = anomalies.check_hours(counts, tz, hours)
        result.extend(anomalies.findings(source, source_label(source, label), checks))
    return sorted(result, key=lambda finding: (finding.start, finding.source))


def open_anomalies(stores: Iterable[Store] | QuerySet[Store]) -> dict[int, list[Condition]]:
    """``{store_id: [Condition]}`` of the anomalies the checker holds open (one query), so a
    brand view of 100 stores does not re-learn 100 stores' histories on every request.

    ``stores``: the stores themselves, or a queryset of them (read as a subquery: no store is
    loaded to ask about its anomalies, which a brand usually has none of)."""
    if isinstance(stores, QuerySet):
        store_ids: Iterable[int] | QuerySet = stores.values("pk")
    else:
        store_ids = [store.pk for store in stores]
    by_store: dict[int, list[Condition]] = defaultdict(list)
    rows = Condition.objects.filter(store_id__in=store_ids, kind=Kind.ANOMALY, active=True).order_by(
        "store_id", "subject"
    )
    for condition in rows:
        by_store[condition.store_id].append(condition)
    return dict(by_store)
