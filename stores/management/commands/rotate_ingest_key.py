"""``manage.py rotate_ingest_key --store CODE``: give a store a new camera ingest URL.

The ingest key is the cameras' only credential; rotate it when it leaked (a photo of a counter's
configuration page, a departed installer). The old URL answers 404 at once: reconfigure every
counter of the store with the printed URL.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stores.models import Store


class Command(BaseCommand):
    help = "Replace a store's ingest key; prints the new ingest URL as JSON. The old URL stops working."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, metavar="CODE", help="Store code")

    def handle(self, *args, store: str, **options):
        with transaction.atomic():
            found = Store.objects.select_for_update().filter(code=store).first()
            if found is None:
                raise CommandError(f"No store with code {store!r}.")
            key = found.rotate_ingest_key()
        self.stdout.write(
            json.dumps(
                {"store_id": found.pk, "store_code": found.code, "ingest_key": key, "ingest_url": found.ingest_path}
            )
        )
