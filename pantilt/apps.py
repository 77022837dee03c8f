from django.apps import AppConfig


class PantiltConfig(AppConfig):
    """Pan-tilt capture rigs: commands over HTTP/MQTT, frames over WebSocket (seed 001)."""

    name = "pantilt"
    verbose_name = "Pan-tilt capture"
