"""Ingest of a site's watch folder: settle, parse, commit, and only then move the file.

Order matters: events and the file's log row are committed in one transaction; the file is
moved to ``processed/`` only after that commit. If the database is unavailable the file stays
where it is and the next pass retries it, so nothing is ever held only in memory. Any other
failure while reading or applying one file — a file unusable as a whole, or anything unexpected —
sends that file to ``failed/`` with ``<name>.error.txt`` beside it (a log line and an alert too),
and the pass goes on with the next file: no file can stop a folder, let alone the watcher.

A file with some bad items is *partial*, as the counter's own program treated it: its valid events
are stored, the file goes to ``processed/`` with ``<name>.rejects.json`` beside it (every bad item
with its position and reason), and the log row, a log line and an alert say how many were bad.

Files are taken from the whole tree under the site's folder (subfolders too, as a recursive
watch sees them), except ``processed/`` and ``failed/`` themselves, hidden entries and symlinks
(never followed: a link could lead out of the folder, or into another site's). A file from
``cam1/`` lands in ``processed/cam1/`` (or ``failed/cam1/``), so names never collide.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from visitorsflow import alerts, conf, texts
from visitorsflow.models import Alert, IngestedFile, PersonEvent, Site
from visitorsflow.parsing import ParseError, RejectedRecord, parse_file

logger = logging.getLogger(__name__)

PROCESSED = "processed"
FAILED = "failed"
# The database is unreachable (not the file's fault): leave the file for the next pass.
UNAVAILABLE = (OperationalError, InterfaceError)
REASON_MAX_CHARS = 1000
# Sidecar files written beside a moved file; a name is free only when none of them exists.
ERROR_SUFFIX = ".error.txt"
REJECTS_SUFFIX = ".rejects.json"
# Bad items kept on the log row (the report file beside the file lists all of them).
REJECTS_STORED = 100
# How deep subfolders are walked: a counter writes one or two levels; a loop of folders cannot.
MAX_DEPTH = 8


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
    """``*.json`` files in the folder and its subfolders, in name order (names are output times).

    Skipped: ``processed/`` and ``failed/`` at the top, hidden files and folders (a counter's
    ``.part`` files), symlinks of any kind (never followed), and anything deeper than
    ``MAX_DEPTH``. A subfolder that cannot be listed is logged and skipped; only the folder
    itself failing to list raises (the scan reports it).
    """
    files: list[Path] = []

    def walk(directory: str, depth: int) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if depth == 0 and entry.name in (PROCESSED, FAILED):
                        continue
                    if depth < MAX_DEPTH:
                        try:
                            walk(entry.path, depth + 1)
                        except OSError as exc:  # one unreadable subfolder never hides the others
                            logger.error("visitorsflow: cannot list %s: %s", clean_text(entry.path), exc)
                elif entry.name.lower().endswith(".json") and entry.is_file(follow_symlinks=False):
                    files.append(Path(entry.path))

    walk(str(folder), 0)
    return sorted(files, key=lambda p: (p.name, str(p)))


def relative_name(folder: Path, path: Path) -> str:
    """The file's path under the site's folder (``cam1/20240501101825.json``), as logged and stored."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def target_for(folder: Path, path: Path, kind: str) -> Path:
    """Where ``path`` goes: ``<folder>/<kind>/<its subfolder>/<name>`` (a free name)."""
    try:
        sub = path.parent.relative_to(folder)
    except ValueError:
        sub = Path()
    return unique_target(folder / kind / sub, path.name)


def unique_target(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name.1.json``… when a re-delivered file of that name is already there."""
    target = folder / name
    stem, suffix = os.path.splitext(name)
    n = 1
    while any(target.with_name(target.name + extra).exists() for extra in ("", ERROR_SUFFIX, REJECTS_SUFFIX)):
        target = folder / f"{stem}.{n}{suffix}"
        n += 1
    return target


def rejects_summary(rejects: list[RejectedRecord], items: int) -> str:
    """One line for the log row, the log and the alert: how many items were bad, and the first reasons."""
    reasons = "; ".join(r.reason for r in rejects[:5]) + ("; …" if len(rejects) > 5 else "")
    if len(rejects) == items:
        head = "the item is not a valid event" if items == 1 else f"none of the {items} items is a valid event"
    else:
        head = f"{len(rejects)} of {items} items rejected"
    return clean_text(f"{head}: {reasons}")


def stored_rejects(rejects: list[RejectedRecord]) -> list[dict]:
    return [{"index": r.index, "reason": clean_text(r.reason, 300)} for r in rejects[:REJECTS_STORED]]


def write_rejects_report(site: Site, target: Path, name: str, items: int, rejects: list[RejectedRecord]) -> None:
    """``<target>.rejects.json``: every bad item with its position, reason and content (as decoded).

    ASCII JSON, so any text the file held (lone surrogates included) can be written; an item
    too deep to encode again is listed without its content. Failing to write is logged only:
    the log row holds the first reasons anyway.
    """
    rows = []
    for r in rejects:
        try:
            content = json.loads(json.dumps(r.record))
        except (RecursionError, ValueError, TypeError):
            content = None
        rows.append({"index": r.index, "reason": r.reason, "record": content})
    report = {"site": site.ssid, "file": name, "items": items, "stored": items - len(rejects), "rejected": rows}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_name(target.name + REJECTS_SUFFIX).write_text(
            json.dumps(report, ensure_ascii=True, indent=1) + "\n", encoding="ascii"
        )
    except (OSError, RecursionError, ValueError) as exc:
        logger.error("visitorsflow %s: could not write the rejects report of %s: %s", site.ssid, name, exc)


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


def ingest_file(site: Site, folder: Path, path: Path, raw: bytes, result: ScanResult) -> bool:
    """Ingest one settled file. Returns False when the database is unavailable (stop the pass).

    Valid events are stored even when other items of the file are bad (``partial``); a file
    without one valid event among its items, or unusable as a whole, is rejected to ``failed/``.
    """
    digest = hashlib.sha256(raw).hexdigest()
    try:
        events, rejects = parse_file(raw, ZoneInfo(site.store.timezone))
    except ParseError as exc:
        return _reject(site, folder, path, raw, digest, str(exc), result)
    except Exception as exc:  # anything the parser did not foresee is still this file's fault
        logger.exception("visitorsflow %s: unexpected error reading %s", site.ssid, path.name)
        return _reject(site, folder, path, raw, digest, f"could not be read: {type(exc).__name__}: {exc}", result)
    items = len(events) + len(rejects)
    if rejects and not events:
        return _reject(site, folder, path, raw, digest, rejects_summary(rejects, items), result, rejects=rejects)
    name = clean_text(relative_name(folder, path), 255)
    summary = rejects_summary(rejects, items) if rejects else ""
    try:
        with transaction.atomic():
            record = IngestedFile.objects.create(
                site=site,
                name=name,
                sha256=digest,
                size=len(raw),
                events=len(events),
                outcome=IngestedFile.Outcome.PARTIAL if rejects else IngestedFile.Outcome.PROCESSED,
                rejected_records=len(rejects),
                rejects=stored_rejects(rejects),
                error=summary,
            )
            record.new_events = _store_events(site, record, events)
            target = target_for(folder, path, PROCESSED)
            record.moved_to = clean_text(str(target), 500)
            record.save(update_fields=["new_events", "moved_to"])
            site.last_data_at = timezone.now()
            Site.objects.filter(pk=site.pk).update(last_data_at=site.last_data_at)
            alerts.recover(site)
            if rejects:
                text = texts.render(
                    "ingest_partial", site, name=name, bad=len(rejects), good=len(events), reason=summary
                )
                alerts.record_alert(site, Alert.Kind.INGEST_ERROR, text)
    except UNAVAILABLE as exc:
        return _leave_for_retry(site, folder, path, exc, result)
    except Exception as exc:  # rolled back; a constraint or data error of this file's events
        logger.exception("visitorsflow %s: could not store %s", site.ssid, path.name)
        reason = f"could not be stored: {type(exc).__name__}: {exc}"
        return _reject(site, folder, path, raw, digest, reason, result)
    if rejects:  # beside the file before it moves: whenever the file is in processed/, so is its report
        write_rejects_report(site, target, name, items, rejects)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    except OSError as exc:  # committed; a re-read later only finds duplicates
        logger.error("visitorsflow %s: %s committed but not moved: %s", site.ssid, path, exc)
    entry = {"file": name, "events": len(events), "new_events": record.new_events, "moved_to": str(target)}
    if rejects:
        entry.update(outcome="partial", rejected=len(rejects), reason=summary)
        logger.warning(
            "visitorsflow %s: %s partial → %d events (%d new) stored, %s",
            site.ssid,
            name,
            len(events),
            record.new_events,
            summary,
        )
    else:
        logger.info("visitorsflow %s: %s → %d events (%d new)", site.ssid, name, len(events), record.new_events)
    result.ingested.append(entry)
    return True


def _leave_for_retry(site: Site, folder: Path, path: Path, exc: Exception, result: ScanResult) -> bool:
    """Nothing was committed: the file stays where it is and the next pass reads it again."""
    logger.error("visitorsflow %s: database unavailable, %s stays for the next pass: %s", site.ssid, path, exc)
    result.retry.append({"file": relative_name(folder, path), "reason": f"database unavailable: {exc}".strip()})
    return False


def _reject(
    site: Site,
    folder: Path,
    path: Path,
    raw: bytes,
    digest: str,
    reason: str,
    result: ScanResult,
    *,
    rejects: Sequence[RejectedRecord] = (),
) -> bool:
    """Log the bad file and alert (committed first), then move it aside with its reason.

    Only an unreachable database keeps the file where it is (for the next pass); if recording
    fails otherwise, the file is still moved with its reason — the folder must go on.
    """
    reason = clean_text(reason)
    name = clean_text(relative_name(folder, path), 255)
    target = target_for(folder, path, FAILED)
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
                rejected_records=len(rejects),
                rejects=stored_rejects(list(rejects)),
            )
            alerts.record_alert(
                site, Alert.Kind.INGEST_ERROR, texts.render("ingest_error", site, name=name, reason=reason)
            )
    except UNAVAILABLE as exc:
        return _leave_for_retry(site, folder, path, exc, result)
    except Exception:
        logger.exception("visitorsflow %s: could not record the rejection of %s", site.ssid, name)
    if rejects:
        write_rejects_report(site, target, name, len(rejects), list(rejects))
    move_aside(site, path, target, reason)
    logger.warning("visitorsflow %s: rejected %s: %s", site.ssid, name, reason)
    result.rejected.append({"file": name, "reason": reason, "moved_to": str(target)})
    return True


def move_aside(site: Site, path: Path, target: Path, reason: str) -> bool:
    """``failed/<name>`` with ``<name>.error.txt`` beside it; False (logged) when it cannot be moved."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_name(target.name + ERROR_SUFFIX).write_text(reason + "\n", encoding="utf-8")
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
            result.pending.append(relative_name(folder, path))
            continue
        try:
            if not _take(site, folder, path, stat, max_bytes, result):
                break  # the database is down: leave this and the remaining files for the next pass
        except Exception as exc:  # a bug of ours must not stop the folder either
            logger.exception("visitorsflow %s: unexpected error on %s", site.ssid, path.name)
            reason = clean_text(f"unexpected error: {type(exc).__name__}: {exc}")
            if move_aside(site, path, target_for(folder, path, FAILED), reason):
                result.rejected.append({"file": clean_text(relative_name(folder, path), 255), "reason": reason})
        _forget_or_hold(tracker, path, stat)
    return bool(result.pending)


def _take(site: Site, folder: Path, path: Path, stat: os.stat_result, max_bytes: int, result: ScanResult) -> bool:
    """Read one settled file and ingest or reject it; False when the database is unavailable."""
    if stat.st_size > max_bytes:
        reason = f"file is {stat.st_size} bytes, over the {max_bytes} limit"
        return _reject(site, folder, path, b"", "", reason, result)
    try:
        raw = path.read_bytes()
        after = path.stat()
    except FileNotFoundError:
        return True
    except OSError as exc:  # unreadable (permissions, I/O error): aside with the reason
        return _reject(site, folder, path, b"", "", f"could not be read: {exc.strerror or exc}", result)
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):  # written to while read
        result.pending.append(relative_name(folder, path))
        return True
    return ingest_file(site, folder, path, raw, result)


def _forget_or_hold(tracker: SettleTracker, path: Path, stat: os.stat_result) -> None:
    """Done with a file: forget it, unless it is still there unchanged (it could not be moved)."""
    try:
        now = path.stat()
    except OSError:
        tracker.forget(path)
        return
    if (now.st_size, now.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        tracker.mark_stuck(path, now)
