from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PantiltConfig(AppConfig):
    """Pan-tilt capture rigs: commands over HTTP/MQTT, frames over WebSocket (seed 001)."""

    name = "pantilt"
    verbose_name = _("Pan-tilt capture")
