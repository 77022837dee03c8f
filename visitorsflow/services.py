"""Writes for VisitorsFlow sites (the CLI's add-site) and their JSON view."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from stores.models import Store
from visitorsflow import folders
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


# Model validation errors → the CLI option that caused them (a form-wide error is the folder's).
OPTION_OF_FIELD = {
    NON_FIELD_ERRORS: "--watch-dir",
    "watch_dir": "--watch-dir",
    "export_url": "--export-url",
    "ssid": "--ssid",
    "silence_minutes": "--silence-minutes",
    "language": "--language",
}


@transaction.atomic
def add_site(
    *,
    store_id: int,
    ssid: str,
    watch_dir: str | None = None,
    export_url: str = "",
    silence_minutes: int = 1,
    recipients: list[str] | None = None,
    language: str = Language.ZH_HANT,
) -> tuple[Site, bool]:
    """Create the site, or update it when the same store already has that ssid (idempotent).

    ``watch_dir`` is the operator's choice; None keeps an existing site's folder and gives a
    new site the derived one. Either way the folder is checked (absolute, overlapping no other
    site's) by the model's ``clean`` and created with ``processed/`` and ``failed/``.
    """
    ssid = ssid.strip()
    if not ssid or len(ssid) > 64:
        raise SiteError("--ssid: must be 1 to 64 characters")
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise SiteError(f"--store-id: no store with id {store_id}")
    if silence_minutes < 1:
        raise SiteError("--silence-minutes: must be at least 1")
    existing = Site.objects.select_for_update().filter(ssid=ssid).first()
    if existing is not None and existing.store_id != store.pk:
        raise SiteError(f"--ssid: {ssid} already belongs to another store")
    site = existing or Site(store=store, ssid=ssid)
    if watch_dir is not None:
        try:
            site.watch_dir = str(folders.resolve(Path(watch_dir).expanduser().absolute()))
        except folders.FolderError as exc:
            raise SiteError(f"--watch-dir: {exc}") from exc
    site.export_url = export_url
    site.silence_minutes = silence_minutes
    site.language = language
    if recipients is not None:  # not given: keep the recipients set in the admin
        site.telegram_recipients = "\n".join(recipients)
    try:
        site.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise SiteError(f"{OPTION_OF_FIELD.get(field, field)}: {' '.join(messages)}") from exc
    folder = folders.resolve(site.folder())
    try:
        for sub in ("", PROCESSED, FAILED):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"--watch-dir: cannot create {folder}: {exc.strerror}") from exc
    site.save()
    return site, existing is None
