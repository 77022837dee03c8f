"""Keeps ``ConversionDay`` (``sales.rollup``) in step with single ORM writes the feeds do not
make themselves: a till or staff row saved one at a time (the admin, a shell fix, fixtures), and
a store's staff rule switched (every day's camera visitors change). Deletes have no receiver: a
cascade (a store, a tenant) would then load and refresh row by row; whoever deletes hourly rows
by hand runs ``rebuild_store_days`` (it rebuilds this rollup too).

Ingest writes in batches and refreshes once per batch under ``analytics.storedays.deferred()``,
which these receivers respect; bulk writes send no signals and rebuild instead.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from sales.models import HourlySales
from stores.models import Store


def _refresh(instance) -> None:
    from analytics import storedays
    from sales import rollup

    if not storedays.is_deferred():
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
