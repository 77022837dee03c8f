"""Celery tasks: thin wrappers that take ids, return early when the row is gone, retry named errors."""

from __future__ import annotations

import asyncio
import logging
import random

from celery import shared_task
from django.utils import timezone
from telethon.errors import FloodWaitError, RPCError, ServerError

from visitorsflow import alerts, conf, export, telegram
from visitorsflow.models import Alert, Site

logger = logging.getLogger(__name__)

# Network trouble worth another try; anything else (a bad recipient, a revoked session) is recorded.
NETWORK_ERRORS = (ConnectionError, OSError, asyncio.TimeoutError, ServerError)


def backoff_countdown(retries: int, base: float) -> float:
    """Exponential back-off with jitter, so many sites retrying do not hit the API in step."""
    return base * 2**retries + random.uniform(0, base)  # noqa: S311 - jitter, not cryptography


@shared_task(bind=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def export_site(self, site_id: int, coalesce: bool = True) -> str:
    """Export one site; a lock keeps two exports of one site from overlapping."""
    site = Site.objects.select_related("store").filter(pk=site_id, enabled=True).first()
    if site is None:
        return "gone"
    if not export.claim_lock(site, seconds=conf.get("VISITORSFLOW_EXPORT_TIMEOUT_SECONDS") + 60):
        logger.info("visitorsflow %s: another export is running, this one stands down", site.ssid)
        return "locked"
    try:
        outcome = export.export_site(site, retry=self.request.retries, coalesce=coalesce and not self.request.retries)
    finally:
        export.release_lock(site)
    export.track_result(site, outcome.attempt)
    max_retries = conf.get("VISITORSFLOW_EXPORT_MAX_RETRIES")
    if outcome.retryable and self.request.retries < max_retries:
        countdown = backoff_countdown(self.request.retries, conf.get("VISITORSFLOW_EXPORT_RETRY_BASE_SECONDS"))
        raise self.retry(countdown=countdown, max_retries=max_retries)
    return outcome.attempt.status


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def export_all_sites() -> int:
    """Beat, every 5 minutes: one export task per enabled site with an export URL."""
    site_ids = list(Site.objects.filter(enabled=True).exclude(export_url="").values_list("pk", flat=True))
    for site_id in site_ids:
        export_site.delay(site_id)
    return len(site_ids)


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def check_silence() -> int:
    """Beat, every minute: the silence timer also runs when the watcher process is down."""
    return len(alerts.check_all_sites())


def _note_error(alert: Alert, message: str) -> None:
    alert.send_error = message[:1000]
    alert.save(update_fields=["send_error"])


@shared_task(bind=True, ignore_result=True, max_retries=8, time_limit=120, soft_time_limit=100)
def send_alert(self, alert_id: int) -> str:
    """Deliver an alert to each recipient once; FloodWait and network errors retry later."""
    alert = Alert.objects.select_related("site").filter(pk=alert_id).first()
    if alert is None or alert.sent:
        return "gone"
    reason = telegram.missing_configuration() or ("" if alert.site.recipients else "the site has no recipients")
    if reason:
        logger.warning("visitorsflow alert %s not sent to Telegram: %s", alert.pk, reason)
        _note_error(alert, f"not sent: {reason}")
        return "not_sent"
    for recipient in alert.site.recipients:
        if recipient in alert.delivered_to:
            continue
        try:
            telegram.send_message(recipient, alert.text)
        except FloodWaitError as exc:
            _note_error(alert, f"FloodWait {exc.seconds} s at {recipient}")
            if exc.seconds > conf.get("VISITORSFLOW_TELEGRAM_MAX_FLOOD_WAIT"):
                logger.error("visitorsflow alert %s: FloodWait of %s s is too long, giving up", alert.pk, exc.seconds)
                return "flood_wait_too_long"
            logger.warning("visitorsflow alert %s: FloodWait, retrying in %s s", alert.pk, exc.seconds)
            raise self.retry(countdown=exc.seconds + 1, exc=exc) from exc
        except NETWORK_ERRORS as exc:
            _note_error(alert, f"network error at {recipient}: {exc!r}")
            raise self.retry(countdown=backoff_countdown(self.request.retries, 5), exc=exc) from exc
        except (RPCError, telegram.TelegramNotConfigured, ValueError) as exc:  # ValueError: unknown entity
            logger.error("visitorsflow alert %s: cannot send to %s: %s", alert.pk, recipient, exc)
            _note_error(alert, f"cannot send to {recipient}: {exc}")
            continue
        alert.delivered_to = [*alert.delivered_to, recipient]
        alert.save(update_fields=["delivered_to"])
    if set(alert.site.recipients) <= set(alert.delivered_to):
        alert.sent, alert.sent_at, alert.send_error = True, timezone.now(), ""
        alert.save(update_fields=["sent", "sent_at", "send_error"])
        return "sent"
    return "partly_sent"
