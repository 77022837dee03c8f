"""Keeps ``ConversionDay`` (``sales.rollup``) in step with what the sales app writes or sees:
the till feed's announced hours (``stores.signals.hourly_counts_changed``, source ``tills``),
a till or staff row saved one at a time (the admin, a shell fix, fixtures), and a store's staff
rule switched (every day's camera visitors change).

Sender and camera counts reach the rollup through ``analytics.storedays`` (its ``refresh`` and
``rebuild`` end by refreshing these days), so they are not received twice here. Deletes have no
receiver: a cascade (a store, a tenant) would then load and refresh row by row; whoever deletes
hourly rows by hand runs ``rebuild_store_days`` (it rebuilds this rollup too). Feeds writing in
batches announce once per batch under ``stores.signals.hourly_writes_batched()``, which the
per-row receivers respect.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from sales.models import HourlySales
from stores.models import Store
from stores.signals import hourly_counts_changed, is_batched


@receiver(hourly_counts_changed, dispatch_uid="sales.refresh_conversion_days_of_tills")
def refresh_days_of_till_hours(sender, source: str, hours: dict[int, list[datetime]], **kwargs) -> None:
    """The till feed changed these store hours: recompute their local days, stores in id order."""
    from sales import rollup
    from sales.services import TILLS

    if source != TILLS:
        return  # sender and camera counts: analytics.storedays.refresh refreshes these days too
    rollup.refresh_many(hours)


def _refresh(instance) -> None:
    from sales import rollup

    if not is_batched():
        rollup.refresh(instance.store_id, [instance.hour])


@receiver(post_save, sender=HourlySales, dispatch_uid="sales.sales_saved")
@receiver(post_save, sender="devices.HourlyDemographics", dispatch_uid="sales.staff_saved")
def hourly_row_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh(instance)


@receiver(pre_save, sender=Store, dispatch_uid="sales.remember_staff_rule")
def remember_staff_rule(sender, instance: Store, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Note whether this save switches ``subtract_staff`` (one read, only for saves that may)."""
    instance._staff_rule_changed = False
    if raw or instance.pk is None or (update_fields is not None and "subtract_staff" not in update_fields):
        return
    stored = Store.objects.filter(pk=instance.pk).values_list("subtract_staff", flat=True).first()
    instance._staff_rule_changed = stored is not None and stored != instance.subtract_staff


@receiver(post_save, sender=Store, dispatch_uid="sales.rebuild_on_staff_rule_change")
def rebuild_on_staff_rule_change(sender, instance: Store, raw: bool = False, **kwargs) -> None:
    if not raw and getattr(instance, "_staff_rule_changed", False):
        from sales import rollup

        rollup.rebuild([instance.pk])
        instance._staff_rule_changed = False
