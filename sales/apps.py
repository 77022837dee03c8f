from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Till (POS) data: transactions and revenue per store hour, and conversion against footfall."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # signals: the brand comparison's day rollup (sales.rollup) follows single ORM writes.
        from sales import signals  # noqa: F401
