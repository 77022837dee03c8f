"""Telegram alerts: FloodWait and network errors retried, partial delivery not repeated, login command.

Only ``visitorsflow.telegram.send_message`` (the one function that drives Telethon's client) is
replaced: this machine has no route to Telegram.
"""

from __future__ import annotations

from io import StringIO

import pytest
from celery.signals import task_retry
from django.core.management import CommandError, call_command
from telethon.errors import FloodWaitError

from visitorsflow import telegram
from visitorsflow.models import Alert, Site, TelegramSession
from visitorsflow.tasks import send_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings, site):
    settings.TELEGRAM_API_ID = 12345
    settings.TELEGRAM_API_HASH = "0123456789abcdef"
    telegram.save_session("1AbCdEf-session", "+886912345678")
    Site.objects.filter(pk=site.pk).update(telegram_recipients="@store_ops, -1001234567890")
    return site


@pytest.fixture
def outbox(monkeypatch):
    """Replaces the Telethon boundary; ``script`` holds exceptions to raise before succeeding."""

    class Outbox:
        def __init__(self):
            self.sent: list[tuple[str, str]] = []
            self.tries: list[str] = []
            self.script: dict[str, list[Exception]] = {}

        def __call__(self, recipient, text):
            self.tries.append(recipient)
            errors = self.script.get(recipient, [])
            if errors:
                raise errors.pop(0)
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


def make_alert(site) -> Alert:
    return Alert.objects.create(site=site, kind="silence", text="SS-007: 已經一分鐘沒有資料了，快去查看一下吧 [—]")


def test_sends_to_every_recipient(configured, outbox):
    alert = make_alert(configured)

    assert send_alert.delay(alert.pk).get() == "sent"

    assert outbox.sent == [("@store_ops", alert.text), ("-1001234567890", alert.text)]
    alert.refresh_from_db()
    assert (alert.sent, alert.delivered_to, alert.send_error) == (True, ["@store_ops", "-1001234567890"], "")
    assert alert.sent_at is not None
    # safe to run twice: an alert already sent is not sent again
    assert send_alert.delay(alert.pk).get() == "gone"
    assert len(outbox.sent) == 2


def test_flood_wait_is_waited_out_with_a_retry_countdown(configured, outbox, eager_retries, retries):
    outbox.script["-1001234567890"] = [FloodWaitError(request=None, capture=37)]
    alert = make_alert(configured)

    send_alert.delay(alert.pk).get()

    assert retries == [38]  # the FloodWait's .seconds, plus one
    # the first recipient already had it: the retry does not send it twice
    assert outbox.tries == ["@store_ops", "-1001234567890", "-1001234567890"]
    assert [r for r, _ in outbox.sent] == ["@store_ops", "-1001234567890"]
    alert.refresh_from_db()
    assert alert.sent is True


def test_network_errors_retry_with_back_off(configured, outbox, eager_retries, retries):
    outbox.script["@store_ops"] = [ConnectionError("reset"), OSError("unreachable")]
    alert = make_alert(configured)

    send_alert.delay(alert.pk).get()

    assert len(retries) == 2
    assert 5 <= retries[0] <= 10 and 10 <= retries[1] <= 15
    alert.refresh_from_db()
    assert alert.sent is True


def test_too_long_flood_wait_gives_up_and_records_why(configured, outbox, settings):
    settings.VISITORSFLOW_TELEGRAM_MAX_FLOOD_WAIT = 3600
    outbox.script["@store_ops"] = [FloodWaitError(request=None, capture=86400)]
    alert = make_alert(configured)

    assert send_alert.delay(alert.pk).get() == "flood_wait_too_long"

    alert.refresh_from_db()
    assert (alert.sent, alert.send_error) == (False, "FloodWait 86400 s at @store_ops")


def test_unknown_recipient_is_recorded_and_others_still_get_it(configured, outbox):
    outbox.script["@store_ops"] = [ValueError('No user has "store_ops" as username')]
    alert = make_alert(configured)

    assert send_alert.delay(alert.pk).get() == "partly_sent"

    alert.refresh_from_db()
    assert alert.delivered_to == ["-1001234567890"] and alert.sent is False
    assert alert.send_error == 'cannot send to @store_ops: No user has "store_ops" as username'


def test_not_configured_records_and_logs(site, outbox, caplog, settings):
    settings.TELEGRAM_API_ID = 12345
    settings.TELEGRAM_API_HASH = "0123456789abcdef"
    Site.objects.filter(pk=site.pk).update(telegram_recipients="@ops")
    alert = make_alert(site)

    assert send_alert.delay(alert.pk).get() == "not_sent"

    alert.refresh_from_db()
    assert alert.send_error == "not sent: no Telegram session stored (run manage.py telegram_login)"
    assert outbox.tries == []
    assert f"alert {alert.pk} not sent to Telegram: no Telegram session stored" in caplog.text


def test_site_without_recipients(configured, outbox):
    Site.objects.filter(pk=configured.pk).update(telegram_recipients="")
    alert = make_alert(configured)

    assert send_alert.delay(alert.pk).get() == "not_sent"
    alert.refresh_from_db()
    assert alert.send_error == "not sent: the site has no recipients"


def test_real_boundary_refuses_without_configuration(db):
    with pytest.raises(telegram.TelegramNotConfigured, match="TELEGRAM_API_ID and TELEGRAM_API_HASH are not set"):
        telegram.send_message("@ops", "hello")


@pytest.mark.parametrize(
    ("recipient", "entity"),
    [("@ops", "@ops"), ("+886912345678", "+886912345678"), ("-1001234567890", -1001234567890), ("42", 42)],
)
def test_recipient_entity(recipient, entity):
    assert telegram.recipient_entity(recipient) == entity


def test_recipients_list_accepts_commas_and_lines(site):
    site.telegram_recipients = "@a, @b\n\n -100 \n"
    assert site.recipients == ["@a", "@b", "-100"]


def test_telegram_login_needs_api_credentials(db):
    with pytest.raises(CommandError, match="TELEGRAM_API_ID and TELEGRAM_API_HASH must be set"):
        call_command("telegram_login")


def test_telegram_login_stores_a_given_session(settings, db):
    settings.TELEGRAM_API_ID = 12345
    settings.TELEGRAM_API_HASH = "0123456789abcdef"
    settings.TELEGRAM_PHONE = "+886912345678"
    out = StringIO()

    call_command("telegram_login", "--session-string", " 1AbC-session ", stdout=out)
    call_command("telegram_login", "--session-string", "1New-session", stdout=out)

    assert list(TelegramSession.objects.values_list("name", "phone", "session")) == [
        ("default", "+886912345678", "1New-session")
    ]
    assert out.getvalue() == "Telegram session stored.\nTelegram session stored.\n"


def test_telegram_login_needs_a_phone(settings, db):
    settings.TELEGRAM_API_ID = 12345
    settings.TELEGRAM_API_HASH = "0123456789abcdef"
    settings.TELEGRAM_PHONE = ""
    with pytest.raises(CommandError, match="--phone or TELEGRAM_PHONE is required"):
        call_command("telegram_login")
