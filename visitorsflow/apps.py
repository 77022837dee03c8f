from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitorsflowConfig(AppConfig):
    """VisitorsFlow sites: watched JSON folders, Telegram alerts, the official export (seed 002)."""

    name = "visitorsflow"
    verbose_name = _("VisitorsFlow")
