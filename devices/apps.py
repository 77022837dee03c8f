from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_partitions(sender, using, **kwargs) -> None:
    """After every migrate (and test flush): this month's and the next two months' partitions exist,
    so a fresh database never sends today's rows to DEFAULT while waiting for the daily run."""
    from devices.partitions import ensure_partitions

    ensure_partitions(using=using)


class DevicesConfig(AppConfig):
    """Stereo people-counting cameras that push XML (seed 003)."""

    name = "devices"
    verbose_name = _("People-counting devices")

    def ready(self) -> None:
        from devices.selectors import device_health
        from stores import health

        health.register_section("devices", device_health)  # GET /api/stores/<id>/health
        post_migrate.connect(_ensure_partitions, sender=self, dispatch_uid="devices.ensure_partitions")
