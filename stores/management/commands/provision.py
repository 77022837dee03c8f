"""``manage.py provision``: create a tenant, store and account from a script (SPEC §2)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stores.models import Role
from stores.services import provision


class Command(BaseCommand):
    help = "Create what is missing of tenant, store and account; prints one JSON object. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Brand name")
        parser.add_argument("--store", required=True, help="Store name")
        parser.add_argument("--store-code", help="Code senders use to name the store (default: derived)")
        parser.add_argument("--timezone", help="IANA time zone (default Europe/Istanbul)")
        parser.add_argument("--username")
        parser.add_argument("--password")
        parser.add_argument("--role", choices=Role.values, default=Role.SENDER)

    def handle(self, *args, **options):
        if options["password"] and not options["username"]:
            raise CommandError("--password needs --username.")
        try:
            result = provision(
                tenant_name=options["tenant"],
                store_name=options["store"],
                store_code=options["store_code"],
                timezone_name=options["timezone"],
                username=options["username"],
                password=options["password"],
                role=options["role"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        store = result.store
        self.stdout.write(
            json.dumps(
                {
                    "tenant_id": result.tenant.pk,
                    "tenant": result.tenant.name,
                    "store_id": store.pk,
                    "store_code": store.code,
                    "ingest_key": store.ingest_key,
                    "ingest_url": store.ingest_path,
                    "username": result.username,
                },
                ensure_ascii=False,
            )
        )
