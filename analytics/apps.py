from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Hourly store analytics sent by the in-store AI: footfall, demographics, zones, queues."""

    name = "analytics"
    verbose_name = _("Store analytics")

    def ready(self) -> None:
        # signals: the business-day rollup follows a store's time zone and opening hour.
        from analytics import sender_clock, signals  # noqa: F401
        from stores import health

        health.register_section("sender_clock", sender_clock.sender_clock)  # GET /api/stores/<id>/health
        health.register_store_note("sender_clock", sender_clock.store_note)  # the console's store list
