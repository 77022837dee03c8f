"""Tasks through a REAL Celery worker (in-process thread) with Redis as the broker.

Redis at CELERY_BROKER_URL / REDIS_URL / 127.0.0.1:6379 when it answers; on a laptop without it
the in-memory broker; with VISLIVIS_REQUIRE_SERVICES=1 a missing Redis fails the test.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker

from visitorsflow.models import Alert, ExportAttempt, PersonEvent, Site
from visitorsflow.tasks import export_site
from vislivis.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def broker_url() -> str:
    candidates = [os.environ.get("CELERY_BROKER_URL", ""), os.environ.get("REDIS_URL", ""), "redis://127.0.0.1:6379/0"]
    url = next(u for u in candidates if u.startswith("redis://"))
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2).close()
        return url
    except OSError:
        if os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"VISLIVIS_REQUIRE_SERVICES=1 but Redis at {url} is not reachable")
        return "memory://"


def _reset_connections() -> None:
    app._pool = None
    app.__dict__.pop("amqp", None)  # rebuilt from the current conf (queues, routes, producer pool)


@pytest.fixture
def worker(monkeypatch):
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    queue = f"vislivis-test-{uuid.uuid4().hex[:12]}"  # parallel test runs never take each other's tasks
    url = broker_url()
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads this variable before its own conf
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    _reset_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
            yield url, running
    finally:
        app.conf.update(saved)
        _reset_connections()


def wait_for(predicate, timeout: float = 30.0):
    """Poll the database until the worker has done its part (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the worker did not finish in time")


def test_export_retries_and_alert_run_through_a_real_worker(site, api_server, worker):
    url, _ = worker
    if os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1":
        assert url.startswith("redis://")
    tz = ZoneInfo(site.store.timezone)
    day = datetime.now(tz).strftime("%Y%m%d")
    for n, (person, in_out, clock) in enumerate([(1, 0, "000001"), (2, 0, "000002"), (1, 1, "000003")]):
        moment = datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=tz)
        PersonEvent.objects.create(site=site, person_id=person, in_out=in_out, time=moment, frame_number=n)
    Site.objects.filter(pk=site.pk).update(export_url=api_server.url)
    api_server.statuses = [503]

    export_site.delay(site.pk)

    wait_for(lambda: ExportAttempt.objects.filter(status="sent").exists())
    assert list(ExportAttempt.objects.order_by("id").values_list("status", "http_status", "retry")) == [
        ("failed", 503, 0),
        ("sent", 200, 1),
    ]
    stamp_start, stamp_end = day + "000001", day + "000003"
    expected = (
        f'[{{"SSID":"SS-007","TagType":"Count","TagID":"901","TagValue":"1",'
        f'"StartTime":"{stamp_start}","EndTime":"{stamp_end}"}},'
        f'{{"SSID":"SS-007","TagType":"CountAccuIn","TagID":"902","TagValue":"2",'
        f'"StartTime":"{stamp_start}","EndTime":"{stamp_end}"}},'
        f'{{"SSID":"SS-007","TagType":"CountAccuOut","TagID":"903","TagValue":"1",'
        f'"StartTime":"{stamp_start}","EndTime":"{stamp_end}"}}]'
    ).encode()
    assert [r["body"] for r in api_server.requests] == [expected, expected]

    # an alert committed by the ingest side is delivered by the worker (Telegram not configured here)
    from visitorsflow.alerts import record_alert

    alert = record_alert(site, Alert.Kind.SILENCE, "SS-007: 已經一分鐘沒有資料了，快去查看一下吧 [—]")

    wait_for(lambda: Alert.objects.filter(pk=alert.pk).exclude(send_error="").exists())
    alert.refresh_from_db()
    assert (alert.sent, alert.send_error) == (False, "not sent: TELEGRAM_API_ID and TELEGRAM_API_HASH are not set")
