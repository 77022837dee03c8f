"""The export task: retries on 5xx and connection refused, alert after repeated failure, lock, beat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from freezegun import freeze_time

from tests.visitorsflow.test_export import EXPECTED, add_events
from visitorsflow.export import claim_lock
from visitorsflow.models import Alert, ExportAttempt, Site
from visitorsflow.tasks import export_all_sites, export_site
from vislivis.celery import app

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 5, 1, 7, 40, 0, tzinfo=UTC)


@pytest.fixture
def exporting(site, api_server):
    add_events(
        site,
        [
            (2, 2, "20240501000000"),
            (17, 0, "20240501101825"),
            (18, 0, "20240501101901"),
            (17, 1, "20240501102300"),
            (19, 0, "20240501102825"),
        ],
    )
    Site.objects.filter(pk=site.pk).update(export_url=api_server.url)
    return site


def attempts():
    return list(ExportAttempt.objects.order_by("id").values_list("status", "http_status", "retry"))


def test_retries_on_500_then_succeeds(exporting, api_server, eager_retries):
    api_server.statuses = [500, 502]

    with freeze_time(NOW):
        result = export_site.delay(exporting.pk).get()

    assert result == "sent"
    assert attempts() == [("failed", 500, 0), ("failed", 502, 1), ("sent", 200, 2)]
    assert [r["body"] for r in api_server.requests] == [EXPECTED] * 3
    exporting.refresh_from_db()
    assert (exporting.export_failures, exporting.export_lock_until) == (0, None)
    assert Alert.objects.count() == 0


def test_connection_refused_retries_then_alerts_once(exporting, closed_port_url, settings, eager_retries):
    settings.VISITORSFLOW_EXPORT_MAX_RETRIES = 3
    settings.VISITORSFLOW_EXPORT_ALERT_AFTER = 3
    Site.objects.filter(pk=exporting.pk).update(export_url=closed_port_url)

    with freeze_time(NOW):
        result = export_site.delay(exporting.pk).get()

    assert result == "failed"
    assert attempts() == [("failed", None, 0), ("failed", None, 1), ("failed", None, 2), ("failed", None, 3)]
    assert all("ConnectionError" in e for e in ExportAttempt.objects.values_list("error", flat=True))
    exporting.refresh_from_db()
    assert exporting.export_failures == 4
    alert = Alert.objects.get()
    assert alert.kind == "export_failure"
    assert alert.text.startswith("SS-007: 資料上傳至官方 API 連續失敗 3 次：ConnectionError(")

    # the next slot fails again: still one alert for this streak
    with freeze_time(NOW + timedelta(minutes=5)):
        export_site.delay(exporting.pk).get()
    assert Alert.objects.count() == 1


def test_client_error_is_not_retried(exporting, api_server):
    api_server.statuses = [400]
    api_server.body = b'{"error":"bad SSID"}'

    with freeze_time(NOW):
        assert export_site.delay(exporting.pk).get() == "failed"

    assert attempts() == [("failed", 400, 0)]
    assert ExportAttempt.objects.get().response == '{"error":"bad SSID"}'


def test_overlapping_export_of_one_site_stands_down(exporting, api_server):
    assert claim_lock(exporting, seconds=60)

    assert export_site.delay(exporting.pk).get() == "locked"

    assert api_server.requests == [] and ExportAttempt.objects.count() == 0


def test_backlog_after_downtime_is_coalesced_and_gap_is_noted(exporting, api_server):
    with freeze_time(NOW - timedelta(minutes=20)):
        assert export_site.delay(exporting.pk).get() == "sent"
    # worker was down for three slots: the queued runs send current numbers once, the rest skip
    with freeze_time(NOW):
        results = [export_site.delay(exporting.pk).get() for _ in range(3)]

    assert results == ["sent", "skipped", "skipped"]
    caught_up = ExportAttempt.objects.filter(status="sent").order_by("id").last()
    assert caught_up.note == "caught up after 20 min without a successful export"
    assert ExportAttempt.objects.filter(status="skipped").first().note == "an export was sent 0 s ago"
    assert len(api_server.requests) == 2


def test_deleted_or_disabled_site_is_skipped(exporting, api_server):
    Site.objects.filter(pk=exporting.pk).update(enabled=False)
    assert export_site.delay(exporting.pk).get() == "gone"
    assert export_site.delay(999999).get() == "gone"
    assert api_server.requests == []


def test_beat_fans_out_one_export_per_enabled_site(exporting, api_server, store_a, tmp_path):
    Site.objects.create(store=store_a, ssid="SS-NOURL", watch_dir=str(tmp_path))
    Site.objects.create(store=store_a, ssid="SS-OFF", watch_dir=str(tmp_path), export_url=api_server.url, enabled=False)

    with freeze_time(NOW):
        assert export_all_sites.delay().get() == 1

    assert [r["body"] for r in api_server.requests] == [EXPECTED]


def test_beat_schedule_contains_the_jobs():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["visitorsflow-export"] == {"task": "visitorsflow.tasks.export_all_sites", "schedule": 300.0}
    assert schedule["visitorsflow-silence"] == {"task": "visitorsflow.tasks.check_silence", "schedule": 60.0}
    assert app.conf.beat_schedule["visitorsflow-export"]["schedule"] == 300.0
    assert {"visitorsflow.tasks.export_all_sites", "visitorsflow.tasks.check_silence"} <= set(app.tasks)
