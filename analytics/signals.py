"""Keeps a store's business-day rollup (``StoreDay``) in step with its hourly rows, time zone and opening hour.

The analytics app subscribes to the store's saves and to the feeds' news (``stores.signals``)
itself: ``stores`` (the floor every feature stands on) knows nothing of the features built on
it, and the feeds (camera counts, sender counts) do not import the rollup.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from stores.models import Store
from stores.signals import hourly_counts_changed, hourly_counts_replaced

# What keys a store's business days (analytics.StoreDay): changing either re-keys every day.
DAY_KEY_FIELDS = ("timezone", "opening_hour")


@receiver(pre_save, sender=Store, dispatch_uid="analytics.remember_day_key")
def remember_day_key(sender, instance: Store, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Note whether this save changes the time zone or opening hour (one read, only for saves
    that may write them)."""
    instance._day_key_changed = False
    if raw or instance.pk is None or (update_fields is not None and not set(DAY_KEY_FIELDS) & set(update_fields)):
        return
    stored = Store.objects.filter(pk=instance.pk).values_list(*DAY_KEY_FIELDS).first()
    instance._day_key_changed = stored is not None and stored != tuple(getattr(instance, f) for f in DAY_KEY_FIELDS)


@receiver(post_save, sender=Store, dispatch_uid="analytics.rebuild_days_on_day_key_change")
def rebuild_days_on_day_key_change(sender, instance: Store, raw: bool = False, **kwargs) -> None:
    """Rebuild the store's business days (same transaction as the save) when their key moved."""
    if not raw and getattr(instance, "_day_key_changed", False):
        from analytics import storedays

        storedays.rebuild([instance.pk])
        instance._day_key_changed = False


@receiver(hourly_counts_changed, dispatch_uid="analytics.refresh_days_of_changed_hours")
def refresh_days_of_changed_hours(sender, source: str, hours: dict[int, list[datetime]], **kwargs) -> None:
    """A feed changed these store hours: recompute their business days, in the feed's transaction
    (one lock and one recompute statement per store, stores in id order)."""
    from analytics import storedays

    if source not in storedays.SOURCES:
        return  # a feed the business days do not count (tills)
    for store_id in sorted(hours):
        storedays.refresh(store_id, source, hours[store_id])


@receiver(hourly_counts_replaced, dispatch_uid="analytics.rebuild_days_of_replaced_stores")
def rebuild_days_of_replaced_stores(sender, store_ids: list[int], **kwargs) -> None:
    """Bulk writes of these stores' hourly rows: rebuild their business days."""
    from analytics import storedays

    storedays.rebuild(store_ids)
