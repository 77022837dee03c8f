"""Delivering one notification: Telegram through VisitorsFlow's client, e-mail through Django's mail.

A notification is claimed for sending with a conditional UPDATE (``pending`` → ``sending`` with
a lease), so two workers given the same id (a redelivered task, a retry racing a re-enqueue)
send it once. Only network-type errors are retried, with back-off and jitter, by the task.
"""

from __future__ import annotations

import asyncio
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from telethon.errors import FloodWaitError, RPCError, ServerError

from alerts.models import Channel, Notification
from visitorsflow import telegram

LEASE = timedelta(minutes=5)
# Worth another try; anything else (a bad address, an unknown chat, a revoked session) is final.
RETRYABLE = (ConnectionError, OSError, asyncio.TimeoutError, ServerError, smtplib.SMTPServerDisconnected)


class Retry(Exception):
    """Try again after ``countdown`` seconds (``None``: the task's back-off)."""

    def __init__(self, reason: str, countdown: float | None = None) -> None:
        super().__init__(reason)
        self.countdown = countdown


def claim(notification_id: int) -> Notification | None:
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, locked_until__lt=now))
        .update(status=Notification.Status.SENDING, locked_until=now + LEASE)
    )
    if not claimed:
        return None
    return Notification.objects.get(pk=notification_id)


def _finish(notification: Notification, status: str, error: str = "") -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        error=error[:1000],
        locked_until=None,
        sent_at=timezone.now() if status == Notification.Status.SENT else None,
    )


def transmit(notification: Notification) -> None:
    """Send through the notification's channel (raises the channel's errors)."""
    if notification.channel == Channel.EMAIL:
        send_mail(notification.subject, notification.text, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
        return
    if reason := telegram.missing_configuration():
        raise telegram.TelegramNotConfigured(reason)
    telegram.send_message(notification.recipient, notification.text)


def deliver(notification_id: int, max_flood_wait: int = 3600) -> str:
    """Claim, send, record. Raises ``Retry`` for a recoverable failure (the row is pending again)."""
    notification = claim(notification_id)
    if notification is None:
        return "gone"
    Notification.objects.filter(pk=notification.pk).update(attempts=notification.attempts + 1)
    try:
        transmit(notification)
    except FloodWaitError as exc:
        if exc.seconds > max_flood_wait:
            _finish(notification, Notification.Status.FAILED, f"FloodWait {exc.seconds} s")
            return "failed"
        _finish(notification, Notification.Status.PENDING, f"FloodWait {exc.seconds} s")
        raise Retry(f"FloodWait {exc.seconds} s", countdown=exc.seconds + 1) from exc
    except RETRYABLE as exc:
        _finish(notification, Notification.Status.PENDING, f"network error: {exc!r}")
        raise Retry(repr(exc)) from exc
    except (RPCError, telegram.TelegramNotConfigured, smtplib.SMTPException, ValueError) as exc:
        _finish(notification, Notification.Status.FAILED, f"cannot send: {exc}")
        return "failed"
    _finish(notification, Notification.Status.SENT)
    return "sent"
