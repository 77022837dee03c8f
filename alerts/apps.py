from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Brand alerts: devices, store AI, anomalies and VisitorsFlow watched; routed per brand."""

    name = "alerts"
    verbose_name = "Alerts"
