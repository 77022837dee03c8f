"""The watcher loop: file events (inotify and polling), the start-up scan, the silence check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.models import Alert, PersonEvent, Site
from visitorsflow.watcher import Watcher

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("polling", [False, True], ids=["events", "polling"])
def test_a_dropped_file_is_noticed_and_ingested(site, watch_dir, polling):
    watcher = Watcher(polling=polling)
    watcher.start()
    try:
        watcher.wake.clear()
        write_events(watch_dir, "20240501102825.json", [event(1, 0, "20240501101825", 5)])

        assert watcher.wake.wait(10), "the observer reported no change"
        results = watcher.tick()
    finally:
        watcher.stop()

    assert [r["file"] for r in results[0].ingested] == ["20240501102825.json"]
    assert PersonEvent.objects.count() == 1
    assert (watch_dir / "processed" / "20240501102825.json").exists()


def test_files_that_arrived_while_down_are_taken_at_start(site, watch_dir):
    write_events(watch_dir, "a.json", [event(1, 0, "20240501101825", 5)])
    write_events(watch_dir, "b.json", [])
    watcher = Watcher(polling=True)

    results = watcher.tick(force=True)

    assert [r["file"] for r in results[0].ingested] == ["a.json", "b.json"]


def test_pending_file_is_rescanned_on_next_tick_without_an_event(site, watch_dir, settings):
    settings.VISITORSFLOW_SETTLE_SECONDS = 3600.0
    write_events(watch_dir, "a.json", [])
    watcher = Watcher(polling=True)
    assert watcher.tick(force=True)[0].pending == ["a.json"]
    settings.VISITORSFLOW_SETTLE_SECONDS = 0.0

    results = watcher.tick()

    assert [r["file"] for r in results[0].ingested] == ["a.json"]
    assert watcher.tick() == []  # nothing dirty, nothing pending: no scan at all


def test_quiet_folder_raises_one_alert(site, watch_dir):
    Site.objects.filter(pk=site.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    watcher = Watcher(polling=True)

    watcher.tick(force=True)
    watcher.tick(force=True)

    alert = Alert.objects.get()
    assert (alert.kind, alert.text) == ("silence", "SS-007: 已經三分鐘沒有資料了，快去查看一下吧 [—]")


def test_disabled_and_missing_folders_are_skipped(site, store_a, tmp_path):
    Site.objects.create(store=store_a, ssid="SS-OFF", watch_dir=str(tmp_path), enabled=False)
    Site.objects.create(store=store_a, ssid="SS-GONE", watch_dir=str(tmp_path / "nope"))
    watcher = Watcher(polling=True)

    results = watcher.tick(force=True)

    assert {r.site: r.error for r in results} == {
        "SS-007": "",
        "SS-GONE": f"watch folder {tmp_path / 'nope'} does not exist",
    }
    assert sorted(s.ssid for s in watcher.sites.values()) == ["SS-007", "SS-GONE"]
