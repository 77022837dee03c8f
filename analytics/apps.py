from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Hourly store analytics sent by the in-store AI: footfall, demographics, zones, queues."""

    name = "analytics"
    verbose_name = "Store analytics"
