"""``manage.py rebuild_store_days [--store ID]``: recompute the day rollups from hourly rows (the
business days, and through ``storedays.rebuild`` the brand comparison's ``sales.ConversionDay``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from analytics import storedays
from stores.models import Store


class Command(BaseCommand):
    help = (
        "Recompute analytics.StoreDay (footfall and occupancy peak per store and business day) and "
        "sales.ConversionDay (visitors, tills and conversion per store and local day) from the hourly rows, "
        "for one store or all; rows no hourly data supports any more are deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--store", type=int, default=None, help="Only this store (its id)")

    def handle(self, *args, store: int | None, **options):
        if store is not None and not Store.objects.filter(pk=store).exists():
            raise CommandError(f"No store with id {store}.")
        started = time.perf_counter()
        with transaction.atomic():
            rows = storedays.rebuild(None if store is None else [store])
        scope = f"store {store}" if store is not None else "all stores"
        self.stdout.write(f"Rebuilt {rows} store days for {scope} in {time.perf_counter() - started:.1f} s.")
