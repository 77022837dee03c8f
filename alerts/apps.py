from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Brand alerts: devices, store AI, anomalies and VisitorsFlow watched; routed per brand."""

    name = "alerts"
    verbose_name = _("Alerts")
