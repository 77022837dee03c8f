"""Celery tasks: the periodic check (beat) and the delivery of one notification (by id)."""

from __future__ import annotations

import random

from celery import shared_task

from alerts import checks, delivery


def backoff_countdown(retries: int, base: float = 5.0) -> float:
    """Exponential back-off with jitter, so many failing messages do not retry in step."""
    return base * 2**retries + random.uniform(0, base)  # noqa: S311 - jitter, not cryptography


@shared_task(ignore_result=True, time_limit=240, soft_time_limit=200)
def check_alerts() -> int:
    """Beat, every ``ALERTS_CHECK_SECONDS``: every store's problems, then due daily summaries."""
    return len(checks.check_all())


@shared_task(bind=True, ignore_result=True, max_retries=8, time_limit=120, soft_time_limit=100)
def deliver(self, notification_id: int) -> str:
    """Send one notification; FloodWait and network errors retry later, once claimed again."""
    try:
        return delivery.deliver(notification_id)
    except delivery.Retry as exc:
        if self.request.retries >= self.max_retries:
            from alerts.models import Notification

            Notification.objects.filter(pk=notification_id).update(status=Notification.Status.FAILED)
            return "failed"
        countdown = exc.countdown if exc.countdown is not None else backoff_countdown(self.request.retries)
        raise self.retry(countdown=countdown, exc=exc) from exc
