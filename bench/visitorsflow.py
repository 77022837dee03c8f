"""VisitorsFlow: the export payload for a site with 50,000 events today, and the watcher's intake.

- export: ``visitorsflow.export.build_payload`` + ``render`` (what the five-minute task sends),
  median of several runs;
- watcher: 1,000 small counter files written into a watched folder, then the real
  ``visitorsflow.watcher.Watcher`` loop (inotify, settle time, parse, insert, move) until every
  file is committed; the clock starts before the first file is written, so the settle wait counts.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.stats import median

TZ = "Europe/Istanbul"


def _site(code: str, folder: Path):
    from stores.models import Store, Tenant
    from visitorsflow.models import Site

    tenant, _ = Tenant.objects.get_or_create(name="Bench VisitorsFlow brand")
    store, _ = Store.objects.get_or_create(tenant=tenant, code=code, defaults={"name": code, "timezone": TZ})
    Site.objects.filter(ssid=code).delete()
    return Site.objects.create(store=store, ssid=code, watch_dir=str(folder), export_url="")


def export_build(events: int, repeats: int = 7) -> dict[str, Any]:
    """Median time to build and render today's payload over ``events`` events."""
    from django.utils import timezone

    from visitorsflow.export import build_payload, local_day_start, render
    from visitorsflow.models import PersonEvent

    folder = Path(tempfile.mkdtemp(prefix="vislivis-bench-vf-export-"))  # its own empty folder, never shared
    site = _site("bench-vf-export", folder)
    now = timezone.now()
    start = local_day_start(site, now)
    span = max(1.0, (now - start).total_seconds() - 1)
    started = time.perf_counter()
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                site=site,
                person_id=i // 2,
                in_out=i % 2,  # entered, left, entered, …
                time=start + timedelta(seconds=span * i / events),
                frame_number=i,
            )
            for i in range(events)
        ],
        batch_size=5000,
    )
    loaded_s = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE visitorsflow_personevent")
    timings, body = [], b""
    for _ in range(repeats):
        started = time.perf_counter()
        body = render(build_payload(site, now) or [])
        timings.append(time.perf_counter() - started)
    site.enabled = False  # the watcher benchmark must see only its own site
    site.save(update_fields=["enabled"])
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "events": events,
        "load_s": round(loaded_s, 2),
        "build_ms_median": round(median(timings) * 1000, 2),
        "build_ms_max": round(max(timings) * 1000, 2),
        "payload": json.loads(body),
    }


def watcher_intake(files: int, events_per_file: int = 3, timeout: float = 120.0) -> dict[str, Any]:
    """Seconds from the first file written until the watcher has committed all of them."""
    from visitorsflow.models import IngestedFile
    from visitorsflow.watcher import Watcher

    folder = Path(tempfile.mkdtemp(prefix="vislivis-bench-vf-"))
    try:
        site = _site("bench-vf-watch", folder)
        watcher = Watcher()
        watcher.reload_sites()
        watcher.observer.start()
        local = datetime.now(ZoneInfo(TZ)).replace(microsecond=0)
        started = time.perf_counter()
        for i in range(files):
            items = [
                {
                    "ID": i * events_per_file + k,
                    "inOut": k % 2,
                    "time": (local - timedelta(seconds=files - i)).strftime("%Y%m%d%H%M%S"),
                    "frameNumber": i * 10 + k,
                }
                for k in range(events_per_file)
            ]
            (folder / f"{i:06d}.json").write_text(json.dumps(items))
        written_s = time.perf_counter() - started
        ticks = 0
        tick_seconds = 1.0
        while True:
            watcher.wake.wait(tick_seconds)
            watcher.wake.clear()
            watcher.tick(force=ticks == 0)
            ticks += 1
            done = IngestedFile.objects.filter(site=site).count()
            if done >= files or time.perf_counter() - started > timeout:
                break
        elapsed = time.perf_counter() - started
        watcher.stop()
        accepted = IngestedFile.objects.filter(site=site, outcome="processed").count()
        return {
            "files": files,
            "write_s": round(written_s, 2),
            "seconds": round(elapsed, 2),
            "ticks": ticks,
            "processed": accepted,
            "committed": done,
            "mode": watcher.mode,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(events: int, files: int) -> dict[str, Any]:
    export = export_build(events)
    export.pop("payload")
    return {"export": export, "watcher": watcher_intake(files), "today_utc": datetime.now(UTC).date().isoformat()}
