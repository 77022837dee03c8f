"""Ingest of a site's watch folder: settle, parse, commit, and only then move the file.

Order matters: events and the file's log row are committed in one transaction; the file is
moved to ``processed/`` only after that commit. If the database is unavailable the file stays
where it is and the next pass retries it, so nothing is ever held only in memory. A file that
cannot be parsed goes to ``failed/`` with ``<name>.error.txt`` beside it, and an alert.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import DatabaseError, transaction
from django.utils import timezone

from visitorsflow import alerts, conf, texts
from visitorsflow.models import Alert, IngestedFile, PersonEvent, Site
from visitorsflow.parsing import ParseError, parse_events

logger = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"


@dataclass
class ScanResult:
    """What one pass over a folder did, for the CLI and the logs."""

    site: str
    ingested: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    retry: list[dict] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict:
        return {
            "site": self.site,
            "ingested": self.ingested,
            "rejected": self.rejected,
            "pending": self.pending,
            "retry": self.retry,
            **({"error": self.error} if self.error else {}),
        }


class SettleTracker:
    """Remembers each file's (size, mtime) and since when, so a file is read only once complete.

    A file is settled when its mtime is older than the settle time, or (for network shares whose
    clocks disagree with ours) when the same size and mtime were seen for the settle time.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int, float]] = {}

    def is_settled(self, path: Path, stat: os.stat_result, settle: float) -> bool:
        key = str(path)
        signature = (stat.st_size, stat.st_mtime_ns)
        seen = self._seen.get(key)
        now = time.monotonic()
        if seen is None or seen[:2] != signature:
            self._seen[key] = (*signature, now)
            first_seen = now
        else:
            first_seen = seen[2]
        if time.time() - stat.st_mtime >= settle:
            return True
        return now - first_seen >= settle

    def forget(self, path: Path) -> None:
        self._seen.pop(str(path), None)


def candidate_files(folder: Path) -> list[Path]:
    """``*.json`` files directly in the folder, oldest name first (names are output times)."""
    files = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.lower().endswith(".json"):
                continue
            if entry.is_file(follow_symlinks=False):
                files.append(Path(entry.path))
    return sorted(files, key=lambda p: p.name)


def unique_target(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name.1.json``… when a re-delivered file of that name is already there."""
    target = folder / name
    stem, suffix = os.path.splitext(name)
    n = 1
    while target.exists() or target.with_name(target.name + ".error.txt").exists():
        target = folder / f"{stem}.{n}{suffix}"
        n += 1
    return target


def _store_events(site: Site, record: IngestedFile, events) -> int:
    """Insert events, ignoring ones already stored; returns how many were new."""
    if not events:
        return 0
    window = PersonEvent.objects.filter(
        site=site, time__gte=min(e.time for e in events), time__lte=max(e.time for e in events)
    )
    before = window.count()
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                site=site,
                person_id=e.person_id,
                in_out=e.in_out,
                time=e.time,
                frame_number=e.frame_number,
                file=record,
            )
            for e in events
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return window.count() - before


def ingest_file(site: Site, path: Path, raw: bytes, result: ScanResult) -> bool:
    """Ingest one settled file. Returns False when the database is unavailable (stop the pass)."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        events = parse_events(raw, ZoneInfo(site.store.timezone))
    except ParseError as exc:
        return _reject(site, path, raw, digest, str(exc), result)
    try:
        with transaction.atomic():
            record = IngestedFile.objects.create(
                site=site,
                name=path.name,
                sha256=digest,
                size=len(raw),
                events=len(events),
                outcome=IngestedFile.Outcome.PROCESSED,
            )
            record.new_events = _store_events(site, record, events)
            target = unique_target(path.parent / PROCESSED, path.name)
            record.moved_to = str(target)
            record.save(update_fields=["new_events", "moved_to"])
            site.last_data_at = timezone.now()
            Site.objects.filter(pk=site.pk).update(last_data_at=site.last_data_at)
            alerts.recover(site)
    except DatabaseError as exc:
        return _leave_for_retry(site, path, exc, result)
    try:
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
    except OSError as exc:  # committed; a re-read later only finds duplicates
        logger.error("visitorsflow %s: %s committed but not moved: %s", site.ssid, path, exc)
    result.ingested.append(
        {"file": path.name, "events": len(events), "new_events": record.new_events, "moved_to": str(target)}
    )
    logger.info("visitorsflow %s: %s → %d events (%d new)", site.ssid, path.name, len(events), record.new_events)
    return True


def _leave_for_retry(site: Site, path: Path, exc: DatabaseError, result: ScanResult) -> bool:
    """Nothing was committed: the file stays where it is and the next pass reads it again."""
    logger.error("visitorsflow %s: database unavailable, %s stays for the next pass: %s", site.ssid, path, exc)
    result.retry.append({"file": path.name, "reason": f"database unavailable: {exc}".strip()})
    return False


def _reject(site: Site, path: Path, raw: bytes, digest: str, reason: str, result: ScanResult) -> bool:
    """Log the bad file and alert (committed first), then move it aside with its reason."""
    target = unique_target(path.parent / FAILED, path.name)
    try:
        with transaction.atomic():
            IngestedFile.objects.create(
                site=site,
                name=path.name,
                sha256=digest,
                size=len(raw),
                outcome=IngestedFile.Outcome.FAILED,
                moved_to=str(target),
                error=reason,
            )
            alerts.record_alert(
                site, Alert.Kind.INGEST_ERROR, texts.render("ingest_error", site, name=path.name, reason=reason)
            )
    except DatabaseError as exc:
        return _leave_for_retry(site, path, exc, result)
    try:
        target.parent.mkdir(exist_ok=True)
        target.with_name(target.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
        os.replace(path, target)
    except OSError as exc:
        logger.error("visitorsflow %s: could not move %s to %s: %s", site.ssid, path, target, exc)
    logger.warning("visitorsflow %s: rejected %s: %s", site.ssid, path.name, reason)
    result.rejected.append({"file": path.name, "reason": reason, "moved_to": str(target)})
    return True


def scan_site(
    site: Site, tracker: SettleTracker | None = None, *, settle: float | None = None, wait: bool = False
) -> ScanResult:
    """One pass over a site's folder. ``wait`` sleeps once for files still settling (CLI scan)."""
    tracker = tracker or SettleTracker()
    settle = conf.get("VISITORSFLOW_SETTLE_SECONDS") if settle is None else settle
    result = ScanResult(site=site.ssid)
    folder = Path(site.watch_dir)
    if not folder.is_dir():
        result.error = f"watch folder {folder} does not exist"
        logger.error("visitorsflow %s: %s", site.ssid, result.error)
        return result
    pending = _pass(site, folder, tracker, settle, result)
    if wait and pending and not result.retry:
        time.sleep(settle)
        result.pending = []
        _pass(site, folder, tracker, settle, result)
    return result


def _pass(site: Site, folder: Path, tracker: SettleTracker, settle: float, result: ScanResult) -> bool:
    max_bytes = conf.get("VISITORSFLOW_MAX_FILE_BYTES")
    for path in candidate_files(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:  # taken by another pass meanwhile
            tracker.forget(path)
            continue
        if not tracker.is_settled(path, stat, settle):
            result.pending.append(path.name)
            continue
        if stat.st_size > max_bytes:
            raw = b""
            if not _reject(site, path, raw, "", f"file is {stat.st_size} bytes, over the {max_bytes} limit", result):
                break
            tracker.forget(path)
            continue
        try:
            raw = path.read_bytes()
            after = path.stat()
        except FileNotFoundError:
            tracker.forget(path)
            continue
        if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):  # written to while read
            result.pending.append(path.name)
            continue
        if not ingest_file(site, path, raw, result):
            break  # the database is down: leave this and the remaining files for the next pass
        tracker.forget(path)
    return bool(result.pending)
