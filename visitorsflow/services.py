"""Writes for VisitorsFlow sites (the CLI's add-site) and their JSON view."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from stores.models import Store
from visitorsflow.ingest import FAILED, PROCESSED
from visitorsflow.models import Language, Site


class SiteError(ValueError):
    """A site cannot be created as asked; the message says which option and why."""


def site_as_dict(site: Site) -> dict:
    return {
        "id": site.pk,
        "ssid": site.ssid,
        "store_id": site.store_id,
        "store": site.store.code,
        "watch_dir": site.watch_dir,
        "export_url": site.export_url,
        "tags": {"Count": site.tag_count, "CountAccuIn": site.tag_accu_in, "CountAccuOut": site.tag_accu_out},
        "silence_minutes": site.silence_minutes,
        "telegram_recipients": site.recipients,
        "language": site.language,
        "enabled": site.enabled,
    }


@transaction.atomic
def add_site(
    *,
    store_id: int,
    ssid: str,
    watch_dir: str,
    export_url: str = "",
    silence_minutes: int = 1,
    recipients: list[str] | None = None,
    language: str = Language.ZH_HANT,
) -> tuple[Site, bool]:
    """Create the site, or update it when the same store already has that ssid (idempotent)."""
    ssid = ssid.strip()
    if not ssid or len(ssid) > 64:
        raise SiteError("--ssid: must be 1 to 64 characters")
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise SiteError(f"--store-id: no store with id {store_id}")
    if export_url:
        try:
            URLValidator(schemes=["http", "https"])(export_url)
        except ValidationError as exc:
            raise SiteError(f"--export-url: not an http(s) URL: {export_url}") from exc
    if silence_minutes < 1:
        raise SiteError("--silence-minutes: must be at least 1")
    if language not in Language.values:
        raise SiteError(f"--language: one of {', '.join(Language.values)}")
    folder = Path(watch_dir).expanduser().resolve()
    try:
        for sub in ("", PROCESSED, FAILED):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"--watch-dir: cannot create {folder}: {exc.strerror}") from exc
    existing = Site.objects.select_for_update().filter(ssid=ssid).first()
    if existing is not None and existing.store_id != store.pk:
        raise SiteError(f"--ssid: {ssid} already belongs to another store")
    values = {
        "watch_dir": str(folder),
        "export_url": export_url,
        "silence_minutes": silence_minutes,
        "language": language,
    }
    if recipients is not None:  # not given: keep the recipients set in the admin
        values["telegram_recipients"] = "\n".join(recipients)
    site, created = Site.objects.update_or_create(ssid=ssid, store=store, defaults=values)
    return site, created
