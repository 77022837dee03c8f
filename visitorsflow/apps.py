from django.apps import AppConfig


class VisitorsflowConfig(AppConfig):
    """VisitorsFlow sites: watched JSON folders, Telegram alerts, the official export (seed 002)."""

    name = "visitorsflow"
    verbose_name = "VisitorsFlow"
