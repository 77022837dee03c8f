"""Two checkers at once on PostgreSQL (two connections): each alert step is taken by one of them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from alerts import checks, summary
from alerts.models import BrandAlertSettings, Notification
from stores.models import Store
from tests.alerts.conftest import make_device
from tests.alerts.synthetic import NOW


def at_once(target, count: int = 2) -> list:
    results, errors = [], []
    barrier = threading.Barrier(count)

    def work() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_problem_reminder_and_recovery_are_each_sent_once(store_a, make_rule):
    make_rule(store_a.tenant, kinds=["device_silent"])
    device = make_device(store_a, last_seen=NOW - timedelta(minutes=30))

    def check(now):
        return lambda: len(checks.check_store(Store.objects.select_related("tenant").get(pk=store_a.pk), now))

    assert sorted(at_once(check(NOW))) == [0, 1]  # both see the problem; one takes the step
    assert sorted(at_once(check(NOW + timedelta(minutes=1)))) == [0, 0]  # within the back-off
    assert sorted(at_once(check(NOW + timedelta(minutes=30)))) == [0, 1]
    device.last_seen = device.last_data_at = NOW + timedelta(minutes=40)
    device.save()
    assert sorted(at_once(check(NOW + timedelta(minutes=41)))) == [0, 1]

    assert list(Notification.objects.order_by("pk").values_list("phase", "status")) == [
        ("problem", "sent"),
        ("reminder", "sent"),
        ("recovery", "sent"),
    ]
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_daily_summary_is_claimed_once(store_a, make_rule):
    make_rule(store_a.tenant, kinds=["daily_summary"])
    BrandAlertSettings.objects.create(tenant=store_a.tenant)
    results = at_once(lambda: len(summary.send_due(NOW)), count=3)
    assert sorted(results) == [0, 0, 1]
    assert Notification.objects.get().phase == "summary"
    assert len(mail.outbox) == 1
