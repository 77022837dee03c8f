from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Hourly store analytics sent by the in-store AI: footfall, demographics, zones, queues."""

    name = "analytics"
    verbose_name = _("Store analytics")
