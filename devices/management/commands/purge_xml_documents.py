"""``manage.py purge_xml_documents [--days N]``: delete received camera documents past retention."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from devices import conf
from devices.services import purge_documents


class Command(BaseCommand):
    help = "Delete received camera XML documents older than DEVICE_DOCUMENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead of the setting")

    def handle(self, *args, days: int | None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = purge_documents(days)
        kept = days if days is not None else conf.document_retention_days()
        self.stdout.write(f"Deleted {deleted} documents older than {kept} days.")
