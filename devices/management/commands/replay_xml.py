"""``manage.py replay_xml --device ID --since WHEN``: parse and apply stored camera documents again.

For after a parser fix: documents refused before are applied now, and documents applied
before change nothing (the supersede rule keeps the newest push of each interval).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from devices.models import Outcome, ReceivedDocument
from devices.services import replay_document


def parse_moment(raw: str, option: str) -> datetime:
    """``YYYY-MM-DD`` or an ISO 8601 date-time; naive values are UTC."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{option}: use YYYY-MM-DD or an ISO 8601 date-time, not {raw!r}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Replay stored camera XML documents of one device (received since a moment) through the parser."

    def add_arguments(self, parser):
        parser.add_argument("--device", required=True, help="The camera's DeviceId")
        parser.add_argument("--since", required=True, help="Received at or after (YYYY-MM-DD or ISO, UTC if naive)")
        parser.add_argument("--until", help="Received before (YYYY-MM-DD or ISO, UTC if naive)")
        parser.add_argument("--store", type=int, help="Store id, when several stores have a device of that id")
        parser.add_argument("--only-rejected", action="store_true", help="Skip documents that were accepted")
        parser.add_argument("--dry-run", action="store_true", help="List the documents, change nothing")

    def handle(self, *args, device: str, since: str, until: str | None, store: int | None, **options):
        documents = ReceivedDocument.objects.filter(device_key=device, received_at__gte=parse_moment(since, "--since"))
        if until:
            documents = documents.filter(received_at__lt=parse_moment(until, "--until"))
        if store is not None:
            documents = documents.filter(store_id=store)
        if options["only_rejected"]:
            documents = documents.filter(outcome=Outcome.REJECTED)
        stores = set(documents.values_list("store_id", flat=True).distinct())
        if len(stores) > 1:
            raise CommandError(f"DeviceId {device!r} exists in stores {sorted(stores)}: name one with --store.")
        summary = {"documents": 0, "accepted": 0, "rejected": 0}
        for document in documents.select_related("store").order_by("received_at", "pk").iterator(chunk_size=200):
            summary["documents"] += 1
            if options["dry_run"]:
                line = {"id": document.pk, "received_at": document.received_at.isoformat(), "was": document.outcome}
            else:
                result = replay_document(document)
                summary["accepted" if result.accepted else "rejected"] += 1
                line = {
                    "id": document.pk,
                    "received_at": document.received_at.isoformat(),
                    "was": document.outcome,
                    "now": "accepted" if result.accepted else "rejected",
                    "records": result.records,
                    "applied": result.applied,
                    **({"error": f"{result.field}: {result.error}"} if not result.accepted else {}),
                }
            self.stdout.write(json.dumps(line))
        self.stdout.write(json.dumps(summary))
