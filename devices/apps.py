from django.apps import AppConfig


class DevicesConfig(AppConfig):
    """Stereo people-counting cameras that push XML (seed 003)."""

    name = "devices"
    verbose_name = "People-counting devices"
