"""Demo data for ``make run``: one VisitorsFlow site with a week of counter files, really ingested.

The first demo store of a brand gets the site ``SS-007`` (the seed's), its folder derived under
``VISITORSFLOW_ROOT`` (``var/visitorsflow/<tenant id>/SS-007``, which ``make run``'s watcher
watches) and an export URL pointing at the demo's own stand-in for the official API
(``VISITORSFLOW_DEMO_EXPORT_URL``, served by ``visitorsflow/demo_api.py``), so the five-minute
export of ``make run``'s beat succeeds. Other stores of the brand get no site: a brand's counters
usually sit in one flagship store, and one site is enough to show files, events and exports.

Events are not inserted directly: the loader writes the counter's own hourly files into the
folder and runs the real ingest over them, so ``processed/``, the file log and the events are
exactly what a counter would have left (one file has a bad item, to show a *partial* file and its
report). Idempotent: hours whose file is already logged are not written again; a later run only
adds the hours since.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from analytics.demo import traffic_curve
from stores.models import Store
from visitorsflow import conf
from visitorsflow.ingest import FAILED, PROCESSED, scan_site
from visitorsflow.models import IngestedFile, Language, Site

logger = logging.getLogger(__name__)

DEMO_SSID = "SS-007"
STAMP = "%Y%m%d%H%M%S"
HOURLY_SCALE = 30.0
NIGHT_EVENTS = (1, 3)  # staff and cleaners cross the line at night too: today is never empty


def demo_site(store: Store) -> Site | None:
    """The brand's demo site: created for the first store asked, kept (and updated) for it."""
    site = Site.objects.filter(ssid=DEMO_SSID).select_related("store").first()
    if site is not None and site.store_id != store.pk:
        return None  # another store of this brand (or another brand) already has it
    if site is None and Site.objects.filter(store__tenant=store.tenant).exists():
        return None  # the brand has its own sites: the demo adds none
    site = site or Site(store=store, ssid=DEMO_SSID)
    site.export_url = conf.get("VISITORSFLOW_DEMO_EXPORT_URL") or conf.DEFAULTS["VISITORSFLOW_DEMO_EXPORT_URL"][1]
    site.language = Language.ZH_HANT
    site.silence_minutes = 60  # the demo counter writes hourly; no alert storm while make run idles
    site.enabled = True
    try:
        site.full_clean()
    except ValidationError as exc:  # e.g. settings that allow no loopback export: no export then
        if "export_url" not in exc.message_dict:
            raise
        logger.warning("visitorsflow demo: export URL refused (%s); the demo site exports nowhere", exc)
        site.export_url = ""
        site.full_clean()
    site.save()
    return site


def _hour_file(rng: random.Random, day_index: int, start_local: datetime, end_local: datetime, first_id: int) -> list:
    """The counter's items for one local hour (or the part of it until now)."""
    curve = traffic_curve(start_local.hour)
    entered = max(0, int(rng.gauss(HOURLY_SCALE * curve, 3))) if curve else rng.randint(*NIGHT_EVENTS)
    span = max(1, int((end_local - start_local).total_seconds()))
    entered = max(1, round(entered * span / 3600))  # the hour so far, for the current one
    items = []
    person = first_id
    for _ in range(entered):
        moment = start_local + timedelta(seconds=rng.randrange(span))
        items.append({"ID": person, "inOut": 0, "time": moment.strftime(STAMP), "frameNumber": person * 7})
        # Most leave within the file's span (a few are still inside when it is written).
        left = min(moment + timedelta(minutes=rng.randint(3, 40)), end_local - timedelta(seconds=1))
        if left > moment and rng.random() < 0.95:
            items.append({"ID": person, "inOut": 1, "time": left.strftime(STAMP), "frameNumber": person * 7 + 3})
        person += 1
    for _ in range(int(entered * 0.3)):  # passers-by (inOut 2)
        moment = start_local + timedelta(seconds=rng.randrange(span))
        items.append({"ID": person, "inOut": 2, "time": moment.strftime(STAMP), "frameNumber": person * 7})
        person += 1
    if day_index == 0 and start_local.hour == 13:  # one bad item: the page shows a partial file
        items.append({"ID": person, "inOut": 3, "time": start_local.strftime(STAMP), "frameNumber": person * 7})
    return sorted(items, key=lambda item: item["time"])


def _hours_done(site: Site, tz: ZoneInfo) -> set[datetime]:
    """Local hours an earlier run already wrote a file for (a file is named by its hour's end)."""
    hours = set()
    for name in IngestedFile.objects.filter(site=site).values_list("name", flat=True):
        try:
            end = datetime.strptime(name.removesuffix(".json"), STAMP).replace(tzinfo=tz)  # noqa: DTZ007
        except ValueError:
            continue
        hours.add((end - timedelta(seconds=1)).replace(minute=0, second=0))
    return hours


def load(store: Store, days: int = 7, seed: int = 7) -> int:
    """Hourly counter files for ``days`` local days up to now, ingested; returns the files written."""
    site = demo_site(store)
    if site is None:
        return 0
    folder = Path(site.watch_dir)
    for sub in ("", PROCESSED, FAILED):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    tz = ZoneInfo(store.timezone)
    now = datetime.now(UTC).replace(microsecond=0).astimezone(tz)
    first_day = now.date() - timedelta(days=days - 1)
    done = _hours_done(site, tz)
    written = 0
    for day_index in range(days):
        day = first_day + timedelta(days=day_index)
        rng = random.Random(f"{seed}-visitorsflow-{store.pk}-{day}")  # noqa: S311 - demo data, reproducible
        for hour in range(24):
            start = datetime.combine(day, time(hour), tzinfo=tz)
            if start > now:
                break
            end = min(start + timedelta(hours=1), now)
            if start in done or start == end:
                continue  # a file of this hour was written by an earlier run (even a partial hour)
            items = _hour_file(rng, day_index, start, end, first_id=(day.toordinal() % 1000) * 100_000 + hour * 1000)
            name = f"{end.strftime(STAMP)}.json"  # named by its output time, as the counter does
            (folder / name).write_text(json.dumps(items), encoding="utf-8")
            written += 1
    result = scan_site(site, settle=0)
    logger.info(
        "visitorsflow demo %s: %d files written, %d ingested, %d rejected",
        site.ssid,
        written,
        len(result.ingested),
        len(result.rejected),
    )
    return written
