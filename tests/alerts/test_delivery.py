"""Delivery: Telegram through VisitorsFlow's client (its one Telethon boundary replaced, as in
tests/visitorsflow/test_telegram.py: no route to Telegram here), e-mail through Django's locmem."""

from __future__ import annotations

import pytest
from celery.signals import task_retry
from django.core import mail
from telethon.errors import FloodWaitError

from alerts.models import Notification
from alerts.tasks import deliver
from visitorsflow import telegram

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings):
    settings.TELEGRAM_API_ID = 12345
    settings.TELEGRAM_API_HASH = "0123456789abcdef"
    telegram.save_session("1AbCdEf-session", "+905551112233")


@pytest.fixture
def outbox(monkeypatch):
    class Outbox:
        def __init__(self):
            self.sent, self.tries, self.script = [], [], []

        def __call__(self, recipient, text):
            self.tries.append(recipient)
            if self.script:
                raise self.script.pop(0)
            self.sent.append((recipient, text))

    box = Outbox()
    monkeypatch.setattr(telegram, "send_message", box)
    return box


@pytest.fixture
def retries():
    seen = []

    def record(sender=None, request=None, reason=None, **kwargs):
        seen.append(reason.when)

    task_retry.connect(record, weak=False)
    yield seen
    task_retry.disconnect(record)


def message(tenant, channel="telegram", recipient="@boyner_ops") -> Notification:
    return Notification.objects.create(
        tenant=tenant, kind="device_silent", phase="problem", channel=channel, recipient=recipient,
        subject="[VISLIVIS] Device silent, AVM İstanbul", text="AVM İstanbul: device Main door has sent nothing",
    )  # fmt: skip


def test_telegram_sends_once(tenant_a, configured, outbox):
    note = message(tenant_a)
    assert deliver.delay(note.pk).get() == "sent"
    assert outbox.sent == [("@boyner_ops", note.text)]
    note.refresh_from_db()
    assert (note.status, note.attempts, note.error) == ("sent", 1, "")
    assert deliver.delay(note.pk).get() == "gone"  # a redelivered task sends nothing twice
    assert len(outbox.sent) == 1


def test_telegram_flood_wait_and_network_errors_retry_with_back_off(
    tenant_a, configured, outbox, eager_retries, retries
):
    outbox.script = [FloodWaitError(request=None, capture=37), ConnectionError("reset")]
    note = message(tenant_a)
    deliver.delay(note.pk).get()
    assert retries[0] == 38 and 10 <= retries[1] <= 15  # second try: 5 × 2¹ + jitter
    assert outbox.sent == [("@boyner_ops", note.text)]
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("sent", 3)


def test_telegram_without_an_account_is_recorded_not_retried(tenant_a, outbox):
    note = message(tenant_a)
    assert deliver.delay(note.pk).get() == "failed"
    note.refresh_from_db()
    assert note.status == "failed" and "TELEGRAM_API_ID" in note.error
    assert outbox.tries == []


def test_email_goes_through_django_mail(tenant_a, settings):
    settings.DEFAULT_FROM_EMAIL = "VISLIVIS <alerts@vislivis.example>"
    note = message(tenant_a, "email", "ops@boyner.example")
    assert deliver.delay(note.pk).get() == "sent"
    [sent] = mail.outbox
    assert (sent.to, sent.from_email, sent.subject, sent.body) == (
        ["ops@boyner.example"],
        "VISLIVIS <alerts@vislivis.example>",
        note.subject,
        note.text,
    )


def test_email_to_an_unreachable_smtp_server_retries_then_gives_up(tenant_a, settings, eager_retries, retries):
    """Django's real SMTP backend against a closed local port: a network error, retried with back-off."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    note = message(tenant_a, "email", "ops@boyner.example")
    deliver.delay(note.pk).get()
    assert len(retries) == deliver.max_retries
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", deliver.max_retries + 1)
    assert "network error" in note.error
