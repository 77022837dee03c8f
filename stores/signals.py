"""Keeps the brand-admin permission group in step with the models after every migrate."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def ensure_groups_after_migrate(sender, **kwargs) -> None:
    # Runs after each app's migrate so permissions of apps migrated later are granted too.
    from stores.services import ensure_brand_admin_group

    ensure_brand_admin_group()
