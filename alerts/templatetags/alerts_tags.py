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
    """``[{store, conditions}]``: the open anomalies of the stores this user may see, by store
    name (one query for the anomalies the checker holds open, the visible stores a subquery; one
    more for the stores that have any: 100 stores loaded for none cost ~2 ms a page)."""
    request = context.get("request")
    if request is None:
        return []
    visible = Store.objects.visible_to(request.user)
    by_store = open_anomalies(visible)
    if not by_store:
        return []
    stores = visible.filter(pk__in=list(by_store)).order_by("name")
    return [{"store": store, "conditions": by_store[store.pk]} for store in stores]
