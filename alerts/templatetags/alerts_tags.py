"""Anomaly figures for the dashboard partials, so the pages include them with one line and the
dashboard views need no change."""

from __future__ import annotations

from django import template
from django.utils import timezone

from alerts.selectors import open_anomalies, store_findings
from stores.models import Store

register = template.Library()


@register.simple_tag
def store_anomalies(store: Store) -> list:
    """The store's flagged stretches of the last day (learned from its own history)."""
    return store_findings(store, timezone.now())


@register.simple_tag(takes_context=True)
def brand_anomalies(context) -> list[dict]:
    """``[{store, conditions}]``: the open anomalies of the stores this user may see (one query
    for the stores, one for the anomalies the checker holds open)."""
    request = context.get("request")
    if request is None:
        return []
    stores = list(Store.objects.visible_to(request.user).order_by("name"))
    by_store = open_anomalies(stores)
    return [{"store": store, "conditions": by_store[store.pk]} for store in stores if store.pk in by_store]
