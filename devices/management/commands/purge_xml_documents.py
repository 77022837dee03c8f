"""``manage.py purge_xml_documents [--days N]``: the daily retention run, by hand."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from devices.retention import purge


class Command(BaseCommand):
    help = (
        "Create the coming months' partitions and drop the months past retention: camera XML documents "
        "after DEVICE_DOCUMENT_RETENTION_DAYS (or --days), minute counts after DEVICE_MINUTE_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Keep documents this many days instead of the setting"
        )

    def handle(self, *args, days: int | None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        self.stdout.write(json.dumps(purge(document_days=days), sort_keys=True))
