"""``manage.py visitorsflow add-site|scan|export|watch``: the VisitorsFlow operator CLI (SPEC §6)."""

from __future__ import annotations

import json
import logging
import signal

from django.core.management.base import BaseCommand, CommandError, CommandParser

from visitorsflow import conf, export
from visitorsflow.ingest import scan_site
from visitorsflow.models import ExportAttempt, Language, Site
from visitorsflow.services import SiteError, add_site, site_as_dict
from visitorsflow.watcher import Watcher

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "VisitorsFlow sites: add-site, scan (one pass), export (--dry-run), watch (long-running)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-site", help="Create or update a site; prints it as JSON.")
        add.add_argument("--store-id", type=int, required=True)
        add.add_argument("--ssid", required=True)
        add.add_argument(
            "--watch-dir",
            help="The folder (the operator's choice). Default for a new site: <VISITORSFLOW_ROOT>/<tenant id>/<ssid>.",
        )
        add.add_argument("--export-url", default="")
        add.add_argument("--silence-minutes", type=int, default=1)
        add.add_argument("--language", default=Language.ZH_HANT, choices=Language.values)
        add.add_argument("--telegram", action="append", help="A recipient (repeatable): @user, +phone or chat id.")
        scan = sub.add_parser("scan", help="One pass over a site's folder; prints what was ingested/moved/rejected.")
        scan.add_argument("--site", required=True, help="SSID")
        run = sub.add_parser("export", help="Post today's totals now (--dry-run prints the exact JSON array).")
        run.add_argument("--site", required=True, help="SSID")
        run.add_argument("--dry-run", action="store_true")
        watch = sub.add_parser("watch", help="Watch every enabled site's folder until stopped.")
        watch.add_argument("--polling", action="store_true", help="Poll instead of inotify (network shares).")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def _site(self, ssid: str) -> Site:
        site = Site.objects.select_related("store").filter(ssid=ssid).first()
        if site is None:
            raise CommandError(f"--site: no VisitorsFlow site {ssid!r}")
        return site

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))

    def handle_add_site(self, **options) -> None:
        try:
            site, created = add_site(
                store_id=options["store_id"],
                ssid=options["ssid"],
                watch_dir=options["watch_dir"],
                export_url=options["export_url"],
                silence_minutes=options["silence_minutes"],
                recipients=options["telegram"],
                language=options["language"],
            )
        except SiteError as exc:
            raise CommandError(str(exc)) from exc
        self._json({**site_as_dict(site), "created": created})

    def handle_scan(self, **options) -> None:
        result = scan_site(self._site(options["site"]), wait=True)
        self._json(result.as_dict())
        if result.error:
            raise CommandError(result.error)

    def handle_export(self, **options) -> None:
        site = self._site(options["site"])
        if options["dry_run"]:
            payload = export.build_payload(site)
            if payload is None:
                self.stderr.write(f"{site.ssid}: no events today, nothing would be sent")
                return
            self.stdout.write(export.render(payload).decode("utf-8"))
            return
        if not export.claim_lock(site, seconds=conf.get("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS") + 60):
            raise CommandError(f"another export of {site.ssid} is running; try again in a moment")
        try:
            outcome = export.export_site(site)
        finally:
            export.release_lock(site)
        export.track_result(site, outcome.attempt)
        attempt = outcome.attempt
        self._json(
            {
                "site": site.ssid,
                "status": attempt.status,
                "http_status": attempt.http_status,
                "response": attempt.response,
                "error": attempt.error,
                "note": attempt.note,
                "duration_ms": attempt.duration_ms,
            }
        )
        if attempt.status == ExportAttempt.Status.FAILED:
            raise CommandError(f"export failed: {attempt.error}")

    def handle_watch(self, **options) -> None:
        watcher = Watcher(polling=True if options["polling"] else None)
        signal.signal(signal.SIGTERM, lambda *_: watcher.stop())
        sites = Site.objects.filter(enabled=True).count()
        # A log record, not raw stderr: one JSON line in production like every other process.
        logger.info("watching %s site(s) (%s); Ctrl-C stops", sites, watcher.mode)
        try:
            watcher.run_forever()
        except KeyboardInterrupt:
            watcher.stop()
