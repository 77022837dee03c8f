"""``manage.py device_partitions``: the monthly partitions of minute counts and kept documents."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from devices.partitions import list_partitions


class Command(BaseCommand):
    help = "List the partitions of devices_minutecount and devices_receiveddocument: range, rows (estimate), size."

    def handle(self, *args, **options):
        self.stdout.write(f"{'partition':<36} {'from':<10} {'to':<10} {'rows (est.)':>12} {'bytes':>12}")
        for part in list_partitions():
            start = f"{part.start:%Y-%m-%d}" if part.start else "DEFAULT"
            end = f"{part.end:%Y-%m-%d}" if part.end else ""
            rows = "?" if part.rows_estimate is None else str(part.rows_estimate)
            self.stdout.write(f"{part.name:<36} {start:<10} {end:<10} {rows:>12} {part.bytes:>12}")
