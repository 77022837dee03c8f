from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    """Stereo people-counting cameras that push XML (seed 003)."""

    name = "devices"
    verbose_name = _("People-counting devices")

    def ready(self) -> None:
        from devices.selectors import device_health
        from stores import health

        health.register_section("devices", device_health)  # GET /api/stores/<id>/health
