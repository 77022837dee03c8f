from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    """Tenants, stores, memberships and the store's physical inventory."""

    name = "stores"
    verbose_name = _("Brands and stores")

    def ready(self) -> None:
        from stores import signals  # noqa: F401
        from stores.api import schema  # noqa: F401
