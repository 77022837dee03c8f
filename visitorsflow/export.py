"""The five-minute export to the official API: today's totals as the seed's exact JSON array.

The payload is recomputed from the database on every run, so a run delayed by a worker outage
sends current numbers (a missed slot is caught up, never replayed with stale ones).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from visitorsflow import alerts, conf, texts
from visitorsflow.models import Alert, ExportAttempt, InOut, PersonEvent, Site
from vislivis import outbound

logger = logging.getLogger(__name__)

STAMP = "%Y%m%d%H%M%S"
RESPONSE_KEEP_CHARS = 2000


@dataclass(frozen=True)
class ExportOutcome:
    attempt: ExportAttempt
    retryable: bool = False


def local_day_start(site: Site, now: datetime) -> datetime:
    """Today 00:00 in the site's time zone, as an aware datetime."""
    tz = ZoneInfo(site.store.timezone)
    local = now.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz)


def build_payload(site: Site, now: datetime | None = None) -> list[dict[str, str]] | None:
    """The seed's array for today 00:00 (site time) → now, or None when nothing was recorded today."""
    now = now or timezone.now()
    tz = ZoneInfo(site.store.timezone)
    totals = PersonEvent.objects.filter(site=site, time__gte=local_day_start(site, now), time__lte=now).aggregate(
        first=Min("time"),
        last=Max("time"),
        entered=Count("id", filter=Q(in_out=InOut.ENTERED)),
        left=Count("id", filter=Q(in_out=InOut.LEFT)),
    )
    if totals["first"] is None:
        return None
    start = totals["first"].astimezone(tz).strftime(STAMP)
    end = totals["last"].astimezone(tz).strftime(STAMP)
    rows = [
        ("Count", site.tag_count, max(0, totals["entered"] - totals["left"])),
        ("CountAccuIn", site.tag_accu_in, totals["entered"]),
        ("CountAccuOut", site.tag_accu_out, totals["left"]),
    ]
    return [
        {
            "SSID": site.ssid,
            "TagType": tag_type,
            "TagID": str(tag_id),
            "TagValue": str(value),
            "StartTime": start,
            "EndTime": end,
        }
        for tag_type, tag_id, value in rows
    ]


def render(payload: list[dict[str, str]]) -> bytes:
    """The exact request body: compact JSON, keys in the seed's order, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def claim_lock(site: Site, seconds: float) -> bool:
    """Conditional UPDATE: two exports of one site never overlap, across workers."""
    now = timezone.now()
    free = Q(export_lock_until__isnull=True) | Q(export_lock_until__lt=now)
    return bool(Site.objects.filter(free, pk=site.pk).update(export_lock_until=now + timedelta(seconds=seconds)))


def release_lock(site: Site) -> None:
    Site.objects.filter(pk=site.pk).update(export_lock_until=None)


def _recent_success(site: Site, now: datetime) -> ExportAttempt | None:
    gap = conf.get("VISITORSFLOW_EXPORT_MIN_GAP_SECONDS")
    sent = ExportAttempt.objects.filter(site=site, status=ExportAttempt.Status.SENT)
    return sent.filter(created_at__gt=now - timedelta(seconds=gap)).order_by("-created_at").first()


def _catch_up_note(site: Site, now: datetime) -> str:
    last = ExportAttempt.objects.filter(site=site, status=ExportAttempt.Status.SENT).order_by("-created_at").first()
    interval = conf.get("VISITORSFLOW_EXPORT_INTERVAL_SECONDS")
    if last and (now - last.created_at).total_seconds() > 2 * interval:
        minutes = int((now - last.created_at).total_seconds() // 60)
        logger.warning("visitorsflow %s: last export was %d min ago, catching up", site.ssid, minutes)
        return f"caught up after {minutes} min without a successful export"
    return ""


def export_site(site: Site, *, retry: int = 0, coalesce: bool = False, dry_run: bool = False) -> ExportOutcome:
    """Post today's totals once and log the attempt. The caller decides about retries."""
    now = timezone.now()
    payload = build_payload(site, now)
    if dry_run:
        return ExportOutcome(ExportAttempt(site=site, payload=payload, status=ExportAttempt.Status.DRY_RUN))
    if payload is None:
        logger.info("visitorsflow %s: no events today, nothing exported", site.ssid)
        return ExportOutcome(_log(site, None, ExportAttempt.Status.SKIPPED, retry, note="no events today"))
    if not site.export_url:
        return ExportOutcome(_log(site, payload, ExportAttempt.Status.SKIPPED, retry, note="no export URL set"))
    if coalesce and (recent := _recent_success(site, now)):
        note = f"an export was sent {int((now - recent.created_at).total_seconds())} s ago"
        return ExportOutcome(_log(site, payload, ExportAttempt.Status.SKIPPED, retry, note=note))
    note = _catch_up_note(site, now) if retry == 0 else ""
    started = time.monotonic()
    try:
        response = outbound.post(
            site.export_url,
            data=render(payload),
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=conf.get("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS"),
        )
    except outbound.OutboundRefused as exc:  # checked again now: DNS may have changed since it was saved
        error = f"refused: {exc}"
        attempt = _log(site, payload, ExportAttempt.Status.FAILED, retry, started=started, error=error, note=note)
        logger.warning("visitorsflow %s: export to %s %s", site.ssid, site.export_url, error)
        return ExportOutcome(attempt, retryable=False)
    except requests.RequestException as exc:
        attempt = _log(site, payload, ExportAttempt.Status.FAILED, retry, started=started, error=repr(exc), note=note)
        logger.warning("visitorsflow %s: export failed: %s", site.ssid, exc)
        return ExportOutcome(attempt, retryable=True)
    ok = 200 <= response.status_code < 300
    attempt = _log(
        site,
        payload,
        ExportAttempt.Status.SENT if ok else ExportAttempt.Status.FAILED,
        retry,
        started=started,
        http_status=response.status_code,
        response=response.text[:RESPONSE_KEEP_CHARS],
        error="" if ok else f"HTTP {response.status_code}",
        note=note,
    )
    if ok:
        logger.info("visitorsflow %s: exported %s", site.ssid, [row["TagValue"] for row in payload])
        return ExportOutcome(attempt)
    logger.warning("visitorsflow %s: export answered HTTP %d", site.ssid, response.status_code)
    return ExportOutcome(attempt, retryable=response.status_code >= 500 or response.status_code == 429)


def _log(site: Site, payload, status: str, retry: int, *, started: float | None = None, **fields) -> ExportAttempt:
    duration = int((time.monotonic() - started) * 1000) if started is not None else 0
    return ExportAttempt.objects.create(
        site=site, payload=payload, status=status, retry=retry, duration_ms=duration, **fields
    )


def track_result(site: Site, attempt: ExportAttempt) -> None:
    """Count failures in a row; alert once when they reach the threshold, reset on success."""
    if attempt.status == ExportAttempt.Status.SENT:
        Site.objects.filter(pk=site.pk, export_failures__gt=0).update(export_failures=0)
        return
    if attempt.status != ExportAttempt.Status.FAILED:
        return
    with transaction.atomic():
        Site.objects.filter(pk=site.pk).update(export_failures=F("export_failures") + 1)
        failures = Site.objects.values_list("export_failures", flat=True).get(pk=site.pk)
        if failures == conf.get("VISITORSFLOW_EXPORT_ALERT_AFTER"):
            text = texts.render("export_failure", site, failures=failures, reason=attempt.error or attempt.status)
            alerts.record_alert(site, Alert.Kind.EXPORT_FAILURE, text)
