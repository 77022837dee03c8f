"""The silence timer with a frozen clock: one alert, back-off, exactly one recovery (SPEC §6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.alerts import backoff_minutes, check_all_sites, check_silence
from visitorsflow.ingest import scan_site
from visitorsflow.models import Alert, Site
from visitorsflow.tasks import check_silence as check_silence_task

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 5, 1, 7, 30, 0, tzinfo=UTC)  # 10:30:00 in Istanbul


def fresh(site: Site) -> Site:
    return Site.objects.select_related("store").get(pk=site.pk)


def deliver_at(site, watch_dir, moment, name):
    with freeze_time(moment):
        write_events(watch_dir, name, [event(1, 0, "20240501103000", 1)])
        assert len(scan_site(fresh(site)).ingested) == 1


def test_one_alert_then_back_off_then_one_recovery(site, watch_dir):
    deliver_at(site, watch_dir, T0, "a.json")
    sent_at_minute = []
    for second in range(0, 9 * 60, 15):
        with freeze_time(T0 + timedelta(seconds=second)):
            if check_silence(fresh(site)) is not None:
                sent_at_minute.append(second / 60)

    # threshold 1 min, then gaps of 1, 2, 4 minutes: never one message per minute
    assert sent_at_minute == [1, 2, 4, 8]
    texts = list(Alert.objects.filter(kind="silence").order_by("id").values_list("text", flat=True))
    assert texts == [
        "SS-007: 已經一分鐘沒有資料了，快去查看一下吧 [2024-05-01 10:30:00]",
        "SS-007: 已經二分鐘沒有資料了，快去查看一下吧 [2024-05-01 10:30:00]",
        "SS-007: 已經四分鐘沒有資料了，快去查看一下吧 [2024-05-01 10:30:00]",
        "SS-007: 已經八分鐘沒有資料了，快去查看一下吧 [2024-05-01 10:30:00]",
    ]

    deliver_at(site, watch_dir, T0 + timedelta(minutes=9), "b.json")
    for second in range(0, 50, 10):
        with freeze_time(T0 + timedelta(minutes=9, seconds=second)):
            assert check_silence(fresh(site)) is None

    recovery = Alert.objects.filter(kind="recovery")
    assert list(recovery.values_list("text", flat=True)) == ["SS-007: 資料已恢復 [2024-05-01 10:39:00]"]
    site = fresh(site)
    assert (site.silence_alerts_sent, site.next_silence_alert_at) == (0, None)

    # quiet again: a new episode starts with one alert after the threshold
    with freeze_time(T0 + timedelta(minutes=10)):
        assert check_silence(fresh(site)).kind == "silence"
    assert Alert.objects.filter(kind="silence").count() == 5


def test_recovery_without_a_prior_alert_sends_nothing(site, watch_dir):
    deliver_at(site, watch_dir, T0, "a.json")
    deliver_at(site, watch_dir, T0 + timedelta(seconds=30), "b.json")

    assert Alert.objects.count() == 0


def test_back_off_is_capped(site, settings):
    settings.VISITORSFLOW_SILENCE_BACKOFF_MAX_MINUTES = 60
    assert [backoff_minutes(site, n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    site.silence_minutes = 10
    assert [backoff_minutes(site, n) for n in range(1, 5)] == [10, 20, 40, 60]


def test_site_that_never_sent_counts_from_creation(store_a, watch_dir):
    with freeze_time(T0):
        site = Site.objects.create(store=store_a, ssid="SS-008", watch_dir=str(watch_dir), silence_minutes=5)
    with freeze_time(T0 + timedelta(minutes=4, seconds=59)):
        assert check_silence(fresh(site)) is None
    with freeze_time(T0 + timedelta(minutes=5)):
        assert check_silence(fresh(site)).text == "SS-008: 已經五分鐘沒有資料了，快去查看一下吧 [—]"


@pytest.mark.parametrize(
    ("language", "silence", "recovery"),
    [
        (
            "tr",
            "SS-007: 1 dakikadır veri gelmedi, lütfen kontrol edin [2024-05-01 10:30:00]",
            "SS-007: veri akışı yeniden başladı [2024-05-01 10:32:00]",
        ),
        (
            "en",
            "SS-007: no data for 1 minute(s), please check [2024-05-01 10:30:00]",
            "SS-007: data is arriving again [2024-05-01 10:32:00]",
        ),
    ],
)
def test_texts_in_the_sites_language(site, watch_dir, language, silence, recovery):
    Site.objects.filter(pk=site.pk).update(language=language)
    deliver_at(site, watch_dir, T0, "a.json")
    with freeze_time(T0 + timedelta(minutes=1)):
        assert check_silence(fresh(site)).text == silence
    deliver_at(site, watch_dir, T0 + timedelta(minutes=2), "b.json")
    assert Alert.objects.get(kind="recovery").text == recovery


def test_two_checkers_with_stale_rows_send_one_alert(site, watch_dir):
    deliver_at(site, watch_dir, T0, "a.json")
    first, second = fresh(site), fresh(site)
    with freeze_time(T0 + timedelta(minutes=1)):
        assert check_silence(first) is not None
        assert check_silence(second) is None
    assert Alert.objects.count() == 1


def test_disabled_sites_are_not_checked_and_beat_task_counts(site, store_a, watch_dir):
    with freeze_time(T0):
        Site.objects.filter(pk=site.pk).update(created_at=T0)
        Site.objects.create(store=store_a, ssid="SS-OFF", watch_dir=str(watch_dir), enabled=False)
    with freeze_time(T0 + timedelta(minutes=2)):
        assert check_silence_task.delay().get() == 1
        assert check_all_sites() == []
    assert list(Alert.objects.values_list("site__ssid", flat=True)) == ["SS-007"]


def test_alert_without_telegram_is_recorded_with_reason(site, django_capture_on_commit_callbacks, caplog):
    with freeze_time(T0):
        Site.objects.filter(pk=site.pk).update(created_at=T0)
    with freeze_time(T0 + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        alert = check_silence(fresh(site))

    alert.refresh_from_db()
    assert (alert.sent, alert.send_error) == (False, "not sent: TELEGRAM_API_ID and TELEGRAM_API_HASH are not set")
    assert (
        f"visitorsflow alert {alert.pk} not sent to Telegram: TELEGRAM_API_ID and TELEGRAM_API_HASH are not set"
        in caplog.text
    )
