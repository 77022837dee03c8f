"""The long-running folder watcher behind ``manage.py visitorsflow watch``.

Observer threads (inotify, or polling for network shares where inotify never fires) only mark a
site as dirty; all database work happens in the one main loop, which also runs a full scan at
start and periodically (files that arrived while the watcher was down, or missed events) and the
silence check.

Nothing a file or a site holds can end the loop: each file's failure is that file's (ingest moves
it to ``failed/``), each site's failure is logged and the other sites go on, and a failed tick is
logged and the next one runs. Only Ctrl-C / SIGTERM stop it. Before a folder is watched it is
checked against every other enabled site's (resolved, symlinks followed): overlapping folders
are not watched at all, whatever the database holds.

Watches are recursive (files in subfolders are the site's too, as ingest takes them), but never
follow a symlink: inotify adds no watch through one, and the polling observer lists with
``os.lstat``, so a link leading out of the site's folder is not walked. Events inside the site's
own ``processed/`` and ``failed/`` (our moves) do not mark the site dirty.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from django.db import DatabaseError, close_old_connections, connection
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserverVFS

from visitorsflow import alerts, conf, folders
from visitorsflow.ingest import FAILED, PROCESSED, SettleTracker, scan_site
from visitorsflow.models import Site

logger = logging.getLogger(__name__)


class _DirtyHandler(FileSystemEventHandler):
    """Marks a site for a scan when anything happens in its folder tree (not in processed/ or failed/).

    Folder events count too: a subfolder created or moved in with files already inside is
    scanned at once, whatever events its files' own watches could still report.
    """

    def __init__(self, watcher: Watcher, site_id: int, folder: str) -> None:
        self.watcher = watcher
        self.site_id = site_id
        self.ours = tuple(os.path.join(os.fsdecode(folder), sub) for sub in (PROCESSED, FAILED))

    def _ours(self, path: bytes | str) -> bool:
        text = os.fsdecode(path)
        return any(text == own or text.startswith(own + os.sep) for own in self.ours)

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, *([event.dest_path] if event.dest_path else [])]
        if not all(self._ours(p) for p in paths):
            self.watcher.mark_dirty(self.site_id)


class Watcher:
    """Watches every enabled site's folder; ``tick()`` is one pass of the main loop."""

    def __init__(self, *, polling: bool | None = None) -> None:
        self.polling = conf.get("VISITORSFLOW_WATCH_POLLING") if polling is None else polling
        # Polling lists with lstat: a symlinked folder is an entry, never walked into.
        self.observer = (
            PollingObserverVFS(stat=os.lstat, listdir=os.scandir, polling_interval=1) if self.polling else Observer()
        )
        self.trackers: dict[int, SettleTracker] = {}
        self.sites: dict[int, Site] = {}
        self.watched: dict[int, tuple[str, ObservedWatch]] = {}
        self.refused: dict[int, str] = {}
        self.dirty: set[int] = set()
        self.pending: set[int] = set()
        self.wake = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.last_full_scan = 0.0
        self.last_silence_check = 0.0
        self.last_reload = 0.0

    def mark_dirty(self, site_id: int) -> None:
        with self._lock:
            self.dirty.add(site_id)
        self.wake.set()

    def reload_sites(self) -> None:
        """Pick up added, changed and disabled sites; schedule a watch for each new folder."""
        sites = {site.pk: site for site in Site.objects.filter(enabled=True).select_related("store")}
        allowed = self._without_overlaps(sites)
        for site_id in set(self.watched) - set(allowed):
            self._unwatch(site_id)
        self.sites = allowed
        for site_id, site in allowed.items():
            if self.watched.get(site_id, ("",))[0] == site.watch_dir:
                continue
            try:
                self._watch(site_id, site)
            except Exception:  # one folder (inotify limit, permissions) never stops the others
                logger.exception("visitorsflow %s: cannot watch %s", site.ssid, site.watch_dir)

    def _without_overlaps(self, sites: dict[int, Site]) -> dict[int, Site]:
        """The sites whose folder overlaps no other enabled site's; the others are logged once."""
        paths = {}
        for site_id, site in sites.items():
            try:
                paths[site_id] = folders.resolve(site.watch_dir)
            except folders.FolderError as exc:
                self._refuse(site, f"watch folder refused: {exc}")
        allowed = {}
        for site_id, path in paths.items():
            clash = [sites[other].ssid for other, p in paths.items() if other != site_id and folders.overlap(path, p)]
            if clash:
                self._refuse(sites[site_id], f"watch folder {path} overlaps the folder of {', '.join(clash)}")
            else:
                self.refused.pop(site_id, None)
                allowed[site_id] = sites[site_id]
        return allowed

    def _refuse(self, site: Site, reason: str) -> None:
        if self.refused.get(site.pk) != reason:
            logger.error("visitorsflow %s: not watched: %s", site.ssid, reason)
            self.refused[site.pk] = reason

    def _watch(self, site_id: int, site: Site) -> None:
        folder = Path(site.watch_dir)
        if not folder.is_dir() and folders.root() in folders.resolve(folder).parents:
            for sub in ("", PROCESSED, FAILED):  # a derived folder is ours to create
                (folder / sub).mkdir(parents=True, exist_ok=True)
            logger.info("visitorsflow %s: created %s", site.ssid, folder)
        if not folder.is_dir():
            return  # scanned anyway: the scan reports the missing folder
        self._unwatch(site_id)
        handler = _DirtyHandler(self, site_id, site.watch_dir)
        watch = self.observer.schedule(handler, site.watch_dir, recursive=True, follow_symlink=False)
        self.watched[site_id] = (site.watch_dir, watch)
        self.mark_dirty(site_id)
        logger.info("visitorsflow watching %s for %s (%s)", site.watch_dir, site.ssid, self.mode)

    def _unwatch(self, site_id: int) -> None:
        entry = self.watched.pop(site_id, None)
        if entry is not None:
            try:
                self.observer.unschedule(entry[1])
            except (KeyError, OSError):  # already gone with its folder
                pass

    @property
    def mode(self) -> str:
        return "polling" if self.polling else "events"

    def start(self) -> None:
        self.observer.start()
        self.safe_tick(force=True)  # the start-up scan: files that arrived while we were down

    def safe_tick(self, *, force: bool = False) -> list:
        """``tick()``, with any failure logged instead of raised (the loop must go on)."""
        try:
            return self.tick(force=force)
        except Exception:
            logger.exception("visitorsflow watcher: tick failed, going on")
            return []

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        self.observer.stop()
        self.observer.join(timeout=5)

    def tick(self, *, force: bool = False) -> list:
        """One loop pass: reload sites, scan dirty/pending (or all) folders, check silence."""
        now = time.monotonic()
        results = []
        if not connection.in_atomic_block:  # (tests run the loop inside a transaction)
            close_old_connections()  # drop a connection the database closed; reconnect on the next query
        try:
            if force or now - self.last_reload >= 60:
                self.reload_sites()
                self.last_reload = now
            full = force or now - self.last_full_scan >= conf.get("VISITORSFLOW_FULL_SCAN_SECONDS")
            with self._lock:
                todo = set(self.sites) if full else (self.dirty | self.pending) & set(self.sites)
                self.dirty.clear()
            if full:
                self.last_full_scan = now
            for site_id in sorted(todo):
                tracker = self.trackers.setdefault(site_id, SettleTracker())
                try:
                    result = scan_site(self.sites[site_id], tracker)
                except DatabaseError:
                    raise
                except Exception:  # one site's failure is logged; the other sites go on
                    logger.exception("visitorsflow %s: scan failed", self.sites[site_id].ssid)
                    continue
                results.append(result)
                if result.pending or result.retry:
                    self.pending.add(site_id)
                else:
                    self.pending.discard(site_id)
            if force or now - self.last_silence_check >= conf.get("VISITORSFLOW_SILENCE_CHECK_SECONDS"):
                alerts.check_all_sites()
                self.last_silence_check = now
        except DatabaseError as exc:  # the database is down: files stay, the next tick retries
            logger.error("visitorsflow watcher: database unavailable, retrying: %s", exc)
            self.pending.update(self.sites)
        return results

    def run_forever(self) -> None:
        self.start()
        tick_seconds = conf.get("VISITORSFLOW_WATCH_TICK_SECONDS")
        try:
            while not self._stop.is_set():
                self.wake.wait(tick_seconds)
                self.wake.clear()
                self.safe_tick()
        finally:
            if not self._stop.is_set():
                self.stop()
