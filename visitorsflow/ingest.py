"""Ingest of a site's watch folder: settle, parse, commit, and only then move the file.

Order matters: events and the file's log row are committed in one transaction; the file is
moved to ``processed/`` only after that commit. If the database is unavailable the file stays
where it is and the next pass retries it, so nothing is ever held only in memory. Any other
failure while reading or applying one file — a parse error, or anything unexpected — sends that
file to ``failed/`` with ``<name>.error.txt`` beside it (a log line and an alert too), and the
pass goes on with the next file: no file can stop a folder, let alone the watcher.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from visitorsflow import alerts, conf, texts
from visitorsflow.models import Alert, IngestedFile, PersonEvent, Site
from visitorsflow.parsing import ParseError, parse_events

logger = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"
# The database is unreachable (not the file's fault): leave the file for the next pass.
UNAVAILABLE = (OperationalError, InterfaceError)
REASON_MAX_CHARS = 1000


_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}


def clean_text(text: str, limit: int = REASON_MAX_CHARS) -> str:
    """Text safe for the database, a log line and an alert: no NUL or other control characters
    (a name with a newline would forge a log line), no lone surrogates (a file name that is not
    UTF-8 comes back from the OS with them), bounded length."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").translate(_CONTROL)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        # Files handled but not movable (e.g. failed/ cannot be created): (size, mtime) when
        # handled, so they are not re-read, re-logged and re-alerted on every tick.
        self._stuck: dict[str, tuple[int, int]] = {}

    def is_stuck(self, path: Path, stat: os.stat_result) -> bool:
        return self._stuck.get(str(path)) == (stat.st_size, stat.st_mtime_ns)

    def mark_stuck(self, path: Path, stat: os.stat_result) -> None:
        self._stuck[str(path)] = (stat.st_size, stat.st_mtime_ns)

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
        self._stuck.pop(str(path), None)


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
    except Exception as exc:  # anything the parser did not foresee is still this file's fault
        logger.exception("visitorsflow %s: unexpected error reading %s", site.ssid, path.name)
        return _reject(site, path, raw, digest, f"could not be read: {type(exc).__name__}: {exc}", result)
    name = clean_text(path.name, 255)
    try:
        with transaction.atomic():
            record = IngestedFile.objects.create(
                site=site,
                name=name,
                sha256=digest,
                size=len(raw),
                events=len(events),
                outcome=IngestedFile.Outcome.PROCESSED,
            )
            record.new_events = _store_events(site, record, events)
            target = unique_target(path.parent / PROCESSED, path.name)
            record.moved_to = clean_text(str(target), 500)
            record.save(update_fields=["new_events", "moved_to"])
            site.last_data_at = timezone.now()
            Site.objects.filter(pk=site.pk).update(last_data_at=site.last_data_at)
            alerts.recover(site)
    except UNAVAILABLE as exc:
        return _leave_for_retry(site, path, exc, result)
    except Exception as exc:  # rolled back; a constraint or data error of this file's events
        logger.exception("visitorsflow %s: could not store %s", site.ssid, path.name)
        return _reject(site, path, raw, digest, f"could not be stored: {type(exc).__name__}: {exc}", result)
    try:
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
    except OSError as exc:  # committed; a re-read later only finds duplicates
        logger.error("visitorsflow %s: %s committed but not moved: %s", site.ssid, path, exc)
    result.ingested.append(
        {"file": name, "events": len(events), "new_events": record.new_events, "moved_to": str(target)}
    )
    logger.info("visitorsflow %s: %s → %d events (%d new)", site.ssid, name, len(events), record.new_events)
    return True


def _leave_for_retry(site: Site, path: Path, exc: Exception, result: ScanResult) -> bool:
    """Nothing was committed: the file stays where it is and the next pass reads it again."""
    logger.error("visitorsflow %s: database unavailable, %s stays for the next pass: %s", site.ssid, path, exc)
    result.retry.append({"file": path.name, "reason": f"database unavailable: {exc}".strip()})
    return False


def _reject(site: Site, path: Path, raw: bytes, digest: str, reason: str, result: ScanResult) -> bool:
    """Log the bad file and alert (committed first), then move it aside with its reason.

    Only an unreachable database keeps the file where it is (for the next pass); if recording
    fails otherwise, the file is still moved with its reason — the folder must go on.
    """
    reason = clean_text(reason)
    name = clean_text(path.name, 255)
    target = unique_target(path.parent / FAILED, path.name)
    try:
        with transaction.atomic():
            IngestedFile.objects.create(
                site=site,
                name=name,
                sha256=digest,
                size=len(raw),
                outcome=IngestedFile.Outcome.FAILED,
                moved_to=clean_text(str(target), 500),
                error=reason,
            )
            alerts.record_alert(
                site, Alert.Kind.INGEST_ERROR, texts.render("ingest_error", site, name=name, reason=reason)
            )
    except UNAVAILABLE as exc:
        return _leave_for_retry(site, path, exc, result)
    except Exception:
        logger.exception("visitorsflow %s: could not record the rejection of %s", site.ssid, name)
    move_aside(site, path, target, reason)
    logger.warning("visitorsflow %s: rejected %s: %s", site.ssid, name, reason)
    result.rejected.append({"file": name, "reason": reason, "moved_to": str(target)})
    return True


def move_aside(site: Site, path: Path, target: Path, reason: str) -> bool:
    """``failed/<name>`` with ``<name>.error.txt`` beside it; False (logged) when it cannot be moved."""
    try:
        target.parent.mkdir(exist_ok=True)
        target.with_name(target.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
        os.replace(path, target)
    except OSError as exc:
        logger.error("visitorsflow %s: could not move %s to %s: %s", site.ssid, path, target, exc)
        return False
    return True


def scan_site(
    site: Site, tracker: SettleTracker | None = None, *, settle: float | None = None, wait: bool = False
) -> ScanResult:
    """One pass over a site's folder. ``wait`` sleeps once for files still settling (CLI scan)."""
    tracker = tracker or SettleTracker()
    settle = conf.get("VISITORSFLOW_SETTLE_SECONDS") if settle is None else settle
    result = ScanResult(site=site.ssid)
    folder = Path(site.watch_dir)
    try:
        ZoneInfo(site.store.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # the site's setting, not a file: touch no file
        result.error = f"store time zone {site.store.timezone!r} is not usable: {exc}"
        logger.error("visitorsflow %s: %s", site.ssid, result.error)
        return result
    if not folder.is_dir():
        result.error = f"watch folder {folder} does not exist"
        logger.error("visitorsflow %s: %s", site.ssid, result.error)
        return result
    try:
        pending = _pass(site, folder, tracker, settle, result)
        if wait and pending and not result.retry:
            time.sleep(settle)
            result.pending = []
            _pass(site, folder, tracker, settle, result)
    except OSError as exc:  # the folder itself (listing it): vanished, unreadable
        result.error = f"watch folder {folder} cannot be read: {exc}"
        logger.error("visitorsflow %s: %s", site.ssid, result.error)
    return result


def _pass(site: Site, folder: Path, tracker: SettleTracker, settle: float, result: ScanResult) -> bool:
    max_bytes = conf.get("VISITORSFLOW_MAX_FILE_BYTES")
    for path in candidate_files(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:  # taken by another pass meanwhile
            tracker.forget(path)
            continue
        except OSError as exc:
            logger.error("visitorsflow %s: cannot stat %s: %s", site.ssid, path, exc)
            continue
        if tracker.is_stuck(path, stat):
            continue
        if not tracker.is_settled(path, stat, settle):
            result.pending.append(path.name)
            continue
        try:
            if not _take(site, path, stat, max_bytes, result):
                break  # the database is down: leave this and the remaining files for the next pass
        except Exception as exc:  # a bug of ours must not stop the folder either
            logger.exception("visitorsflow %s: unexpected error on %s", site.ssid, path.name)
            reason = clean_text(f"unexpected error: {type(exc).__name__}: {exc}")
            if move_aside(site, path, unique_target(folder / FAILED, path.name), reason):
                result.rejected.append({"file": clean_text(path.name, 255), "reason": reason})
        _forget_or_hold(tracker, path, stat)
    return bool(result.pending)


def _take(site: Site, path: Path, stat: os.stat_result, max_bytes: int, result: ScanResult) -> bool:
    """Read one settled file and ingest or reject it; False when the database is unavailable."""
    if stat.st_size > max_bytes:
        return _reject(site, path, b"", "", f"file is {stat.st_size} bytes, over the {max_bytes} limit", result)
    try:
        raw = path.read_bytes()
        after = path.stat()
    except FileNotFoundError:
        return True
    except OSError as exc:  # unreadable (permissions, I/O error): aside with the reason
        return _reject(site, path, b"", "", f"could not be read: {exc.strerror or exc}", result)
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):  # written to while read
        result.pending.append(path.name)
        return True
    return ingest_file(site, path, raw, result)


def _forget_or_hold(tracker: SettleTracker, path: Path, stat: os.stat_result) -> None:
    """Done with a file: forget it, unless it is still there unchanged (it could not be moved)."""
    try:
        now = path.stat()
    except OSError:
        tracker.forget(path)
        return
    if (now.st_size, now.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        tracker.mark_stuck(path, now)
