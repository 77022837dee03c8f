"""Alerts: record them, hand them to the Telegram task after commit, and run the silence timer.

The silence state lives on the Site row and every transition is claimed with a conditional
UPDATE, so two watchers (or the watcher and the beat task) never send the same message twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from visitorsflow import conf, texts
from visitorsflow.models import Alert, Site

logger = logging.getLogger(__name__)


def record_alert(site: Site, kind: str, text: str) -> Alert:
    """Store the alert and enqueue its delivery once the surrounding transaction commits."""
    alert = Alert.objects.create(site=site, kind=kind, text=text)
    logger.warning("visitorsflow alert %s for %s: %s", kind, site.ssid, text)

    def enqueue() -> None:
        from visitorsflow.tasks import send_alert

        send_alert.delay(alert.pk)

    # robust: a broker or (eager) Telegram failure is logged; the alert row is already committed.
    transaction.on_commit(enqueue, robust=True)
    return alert


def backoff_minutes(site: Site, alerts_sent: int) -> int:
    """Gap after the n-th silence alert: threshold × 1, 2, 4, … capped (60 min by default)."""
    cap = conf.get("VISITORSFLOW_SILENCE_BACKOFF_MAX_MINUTES")
    return min(max(1, site.silence_minutes) * 2 ** max(0, alerts_sent - 1), cap)


def quiet_since(site: Site) -> datetime:
    return site.last_data_at or site.created_at


@transaction.atomic
def check_silence(site: Site, now: datetime | None = None) -> Alert | None:
    """One silence alert when a site goes quiet, repeats with back-off, one recovery when back."""
    now = now or timezone.now()
    quiet_for = now - quiet_since(site)
    if quiet_for < timedelta(minutes=site.silence_minutes):
        return recover(site)
    sent = site.silence_alerts_sent
    if sent and site.next_silence_alert_at and now < site.next_silence_alert_at:
        return None
    next_at = now + timedelta(minutes=backoff_minutes(site, sent + 1))
    claimed = Site.objects.filter(pk=site.pk, silence_alerts_sent=sent).update(
        silence_alerts_sent=sent + 1, next_silence_alert_at=next_at
    )
    if not claimed:  # someone else sent this one
        return None
    site.silence_alerts_sent, site.next_silence_alert_at = sent + 1, next_at
    minutes = int(quiet_for.total_seconds() // 60)
    text = texts.render("silence", site, minutes=minutes, last=texts.local_stamp(site, site.last_data_at))
    return record_alert(site, Alert.Kind.SILENCE, text)


def recover(site: Site) -> Alert | None:
    """Data is back: exactly one recovery message, and only if a silence alert went out.

    Decided by a conditional UPDATE, not the in-memory row, which may be stale in a watcher.
    """
    claimed = Site.objects.filter(pk=site.pk, silence_alerts_sent__gt=0).update(
        silence_alerts_sent=0, next_silence_alert_at=None
    )
    site.silence_alerts_sent, site.next_silence_alert_at = 0, None
    if not claimed:
        return None
    text = texts.render("recovery", site, last=texts.local_stamp(site, site.last_data_at))
    return record_alert(site, Alert.Kind.RECOVERY, text)


def check_all_sites(now: datetime | None = None) -> list[Alert]:
    """The silence check for every enabled site (watcher loop and beat task)."""
    alerts = []
    for site in Site.objects.filter(enabled=True).select_related("store"):
        alert = check_silence(site, now)
        if alert is not None:
            alerts.append(alert)
    return alerts
