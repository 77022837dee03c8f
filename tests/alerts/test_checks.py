"""The checker: each kind of problem, routed to the store's own brand only, back-off, one recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from freezegun import freeze_time

from alerts import checks
from alerts.models import Condition, Notification
from analytics.models import HourlyCustomers
from devices.models import HourlyFootfall
from stores.models import StoreHeartbeat
from tests.alerts.conftest import load_series, make_device
from tests.alerts.synthetic import NOW, history, last_open_hours
from visitorsflow.models import Site

pytestmark = pytest.mark.django_db
MIN = timedelta(minutes=1)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """``run(store, now)`` → the notifications written, delivered (e-mail: locmem) after commit."""

    def check(store, now=NOW):
        with django_capture_on_commit_callbacks(execute=True):
            return checks.check_store(store, now)

    return check


def phases(kind=None):
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("phase", "recipient"))


def test_silent_device_alerts_once_backs_off_and_recovers_once(store_a, make_rule, run):
    make_rule(store_a.tenant)
    device = make_device(store_a, last_seen=NOW - 11 * MIN)  # store timeout: 10 minutes

    [first] = run(store_a)
    assert (first.kind, first.phase, first.status) == ("device_silent", "problem", "pending")
    assert [m.to for m in mail.outbox] == [["ops@boyner.example"]]
    assert mail.outbox[0].subject == "[VISLIVIS] Device silent, AVM İstanbul"
    assert "device Main door has sent nothing since 2026-02-16 18:19" in mail.outbox[0].body  # Istanbul time
    first.refresh_from_db()
    assert first.status == "sent" and first.sent_at is not None

    assert run(store_a, NOW + 29 * MIN) == []  # within the first gap (30 minutes)
    assert [n.phase for n in run(store_a, NOW + 30 * MIN)] == ["reminder"]
    assert mail.outbox[-1].body.startswith("Still unresolved: AVM İstanbul: device Main door")
    assert run(store_a, NOW + 89 * MIN) == []  # the second gap is 60 minutes
    assert [n.phase for n in run(store_a, NOW + 90 * MIN)] == ["reminder"]

    device.last_seen = device.last_data_at = NOW + 100 * MIN
    device.save()
    assert [n.phase for n in run(store_a, NOW + 101 * MIN)] == ["recovery"]
    assert mail.outbox[-1].subject == "[VISLIVIS] Resolved: Device silent, AVM İstanbul"
    assert run(store_a, NOW + 102 * MIN) == []  # one recovery, not one per check
    assert phases() == [("problem", "ops@boyner.example")] + [("reminder", "ops@boyner.example")] * 2 + [
        ("recovery", "ops@boyner.example")
    ]
    assert Condition.objects.get().alerts_sent == 0


def test_reminders_are_capped(settings):
    settings.ALERTS_REPEAT_MINUTES, settings.ALERTS_REPEAT_MAX_MINUTES = 30, 240
    assert [checks.repeat_minutes(n) for n in range(1, 7)] == [30, 60, 120, 240, 240, 240]


def test_a_brand_never_receives_another_brands_alerts(store_a, store_a2, store_b, make_rule, run):
    make_rule(store_a.tenant, "ops@boyner.example")
    make_rule(store_a.tenant, "ankara@boyner.example", stores=[store_a2])  # only Ankara
    make_rule(store_b.tenant, "ops@rival.example")
    make_device(store_a, last_seen=NOW - 30 * MIN)
    make_device(store_b, "CAM-R", last_seen=NOW)  # B's device is fine

    run(store_a)
    run(store_b)

    assert [m.to for m in mail.outbox] == [["ops@boyner.example"]]
    assert list(Notification.objects.values_list("tenant__name", "recipient")) == [("Boyner", "ops@boyner.example")]
    # and the other way round
    make_device(store_b, "CAM-R2", last_seen=NOW - 30 * MIN)
    run(store_b)
    assert [m.to for m in mail.outbox] == [["ops@boyner.example"], ["ops@rival.example"]]
    assert "AVM" not in mail.outbox[1].body and "Rival Store" in mail.outbox[1].body


def test_rules_get_only_the_kinds_they_chose_and_disabled_rules_nothing(store_a, make_rule, run):
    make_rule(store_a.tenant, "ai@boyner.example", kinds=["store_ai_down"])
    make_rule(store_a.tenant, "off@boyner.example", enabled=False)
    make_device(store_a, last_seen=NOW - 30 * MIN)
    StoreHeartbeat.objects.create(store=store_a, received_at=NOW - 11 * MIN)

    run(store_a)

    assert phases() == [("problem", "ai@boyner.example")]
    assert mail.outbox[0].body == "AVM İstanbul: the store AI has sent no heartbeat since 2026-02-16 18:19."
    # the silent device is watched all the same: a rule added later hears of it at the next reminder
    assert Condition.objects.get(kind="device_silent").alerts_sent == 1


def test_store_without_any_heartbeat_has_no_ai_alert(store_a, make_rule, run):
    make_rule(store_a.tenant)
    assert run(store_a) == []
    assert not Condition.objects.exists()


def test_visitorsflow_silence_goes_to_the_brand(store_a, make_rule, run, tmp_path):
    make_rule(store_a.tenant, "vf@boyner.example", kinds=["visitorsflow_silence"])
    site = Site.objects.create(store=store_a, ssid="SS-007", watch_dir=str(tmp_path), silence_minutes=5)
    Site.objects.filter(pk=site.pk).update(last_data_at=NOW - 6 * MIN)

    run(store_a)
    assert mail.outbox[0].body == "AVM İstanbul: VisitorsFlow site SS-007 has delivered no file since 2026-02-16 18:24."
    Site.objects.filter(pk=site.pk).update(last_data_at=NOW)
    assert [n.phase for n in run(store_a, NOW + MIN)] == ["recovery"]


def test_blocked_counter_alerts_as_anomaly_and_recovers(store_a, make_rule, run):
    make_rule(store_a.tenant, "counts@boyner.example", kinds=["anomaly"])
    device = make_device(store_a, last_seen=NOW)
    series = history(noise=4)
    blocked = last_open_hours(3)
    for hour in blocked:
        series[hour] = 0
    load_series(device, series)

    [alert] = run(store_a)
    assert (alert.kind, alert.phase) == ("anomaly", "problem")
    body = mail.outbox[0].body
    assert body.startswith("AVM İstanbul: Main door counted 0 visitors in the last 3 open hours where about ")
    assert "(since 2026-02-16 15:00)" in body
    condition = Condition.objects.get(kind="anomaly")
    assert (condition.subject, condition.active, condition.detail["hours"]) == ("camera:CAM-1", True, 3)

    # the next hour counts again: one recovery
    HourlyFootfall.objects.create(
        store=store_a, device=device, object_type=0, hour=blocked[-1] + timedelta(hours=1), enters=60
    )
    assert [n.phase for n in run(store_a, NOW + timedelta(hours=1))] == ["recovery"]
    assert Condition.objects.get(kind="anomaly").active is False


def test_sender_counts_are_watched_too(store_a, make_rule, run):
    make_rule(store_a.tenant, kinds=["anomaly"])
    series = history(noise=4, closed_rows=False)
    for hour in last_open_hours(4):
        series[hour] = 0
    HourlyCustomers.objects.bulk_create(
        HourlyCustomers(store=store_a, camera_id="kapi", hour=hour, entered=count) for hour, count in series.items()
    )
    [alert] = run(store_a)
    assert alert.condition.subject == "sender"
    assert "Sender (AI) counted 0 visitors in the last 4 open hours" in mail.outbox[0].body


def test_no_rule_no_message_but_the_problem_is_tracked(store_a, run):
    make_device(store_a, last_seen=NOW - 30 * MIN)
    assert run(store_a) == []
    assert Condition.objects.get().active is True


def test_check_all_covers_every_store_and_the_beat_task_runs_it(store_a, store_b, make_rule, settings):
    from alerts.tasks import check_alerts

    assert settings.CELERY_BEAT_SCHEDULE["alerts-check"] == {"task": "alerts.tasks.check_alerts", "schedule": 60.0}
    make_rule(store_a.tenant, kinds=["device_silent"])
    make_rule(store_b.tenant, "ops@rival.example", kinds=["device_silent"])
    make_device(store_a, last_seen=NOW - 30 * MIN)
    make_device(store_b, "CAM-R", last_seen=NOW - 30 * MIN)

    with freeze_time(NOW):
        assert check_alerts.delay().get() == 2
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == [
        "ops@boyner.example",
        "ops@rival.example",
    ]
