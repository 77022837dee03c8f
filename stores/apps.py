from django.apps import AppConfig


class StoresConfig(AppConfig):
    """Tenants, stores, memberships and the store's physical inventory."""

    name = "stores"
    verbose_name = "Brands and stores"

    def ready(self) -> None:
        from stores import signals  # noqa: F401
        from stores.api import schema  # noqa: F401
