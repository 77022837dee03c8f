"""``manage.py demo``: a demo brand, store, logins and a week of data, ready for `make run`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stores.models import Role
from stores.services import ensure_account, provision

DEMO_TENANT = "Boyner"
DEMO_STORES = (("AVM İstanbul", "boyner-avm-istanbul"), ("Ankara Kızılay", "boyner-ankara"))
# The seed's scripts default to -u boyner -p boyner, so they work unchanged against the demo.
LOGINS = (
    ("boyner", "boyner", Role.SENDER, "sender account (the seed scripts' default)"),
    ("brand", "brand-demo", Role.BRAND_ADMIN, "brand admin: dashboards and /admin/"),
    ("viewer", "viewer-demo", Role.VIEWER, "store viewer: dashboards of AVM İstanbul"),
)
OPERATOR = ("admin", "admin-demo")


class Command(BaseCommand):
    help = "Provision the demo brand with stores, logins and a week of realistic data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Days of demo data to generate")
        parser.add_argument("--no-data", action="store_true", help="Only provision, generate no data")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:5000",
            help="Where the panel answers, for the printed URLs (make run passes http://HOST:PORT)",
        )

    def handle(self, *args, days: int, no_data: bool, base_url: str, **options):
        stores = [
            provision(tenant_name=DEMO_TENANT, store_name=name, store_code=code).store for name, code in DEMO_STORES
        ]
        main_store = stores[0]
        for username, password, role, _ in LOGINS:
            ensure_account(tenant=main_store.tenant, store=main_store, username=username, password=password, role=role)
        User = get_user_model()
        if not User.objects.filter(username=OPERATOR[0]).exists():
            User.objects.create_superuser(OPERATOR[0], password=OPERATOR[1])

        if not no_data:
            from analytics.demo import load

            for store in stores:
                load(store, days=days)
            for loader in self.extra_loaders():
                for store in stores:
                    loader(store, days=days)

        self.stdout.write(self.style.SUCCESS("Demo ready. Logins:"))
        self.stdout.write(f"  {OPERATOR[0]:8} / {OPERATOR[1]:12} operator (superuser): full admin at /operator/")
        for username, password, _, what in LOGINS:
            self.stdout.write(f"  {username:8} / {password:12} {what}")
        for store in stores:
            ingest_url = base_url.rstrip("/") + store.ingest_path  # a camera needs the whole URL, not a path
            self.stdout.write(f"  store {store.code}: id {store.pk}, device ingest URL {ingest_url}")

    def extra_loaders(self):
        """Demo loaders of the other apps (``<app>.demo.load(store, days)``), when they have one."""
        import importlib

        loaders = []
        for app in ("devices", "visitorsflow", "pantilt", "alerts"):
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            loaders.append(module.load)
        return loaders
