"""Subfolders of a site's folder are the site's too (issue 14, item 5).

Files in subfolders are found by the start-up scan, the inotify observer and the polling
observer; ``processed/``, ``failed/``, hidden folders and symlinks (which could lead out of the
site's folder) are not taken; a file from ``cam1/`` is moved to ``processed/cam1/``.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.ingest import candidate_files, scan_site
from visitorsflow.models import IngestedFile, PersonEvent
from visitorsflow.watcher import Watcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside(tmp_path):
    """A folder outside the site's, with a valid file that must never be taken."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    write_events(folder, "20240501090000.json", [event(666, 0, "20240501090000", 666)])
    return folder


def test_start_up_scan_takes_files_in_subfolders_and_nothing_else(site, watch_dir, outside):
    (watch_dir / "cam1" / "deep").mkdir(parents=True)
    write_events(watch_dir / "cam1", "20240501101000.json", [event(1, 0, "20240501101000", 1)])
    write_events(watch_dir / "cam1" / "deep", "20240501102000.json", [event(2, 1, "20240501102000", 2)])
    (watch_dir / ".partial").mkdir()
    write_events(watch_dir / ".partial", "20240501103000.json", [event(3, 0, "20240501103000", 3)])
    (watch_dir / "processed").mkdir()
    write_events(watch_dir / "processed", "20240501080000.json", [event(4, 0, "20240501080000", 4)])
    (watch_dir / "failed" / "cam1").mkdir(parents=True)
    write_events(watch_dir / "failed" / "cam1", "20240501070000.json", [event(5, 0, "20240501070000", 5)])
    os.symlink(outside, watch_dir / "link")  # a folder link leading out of the site's folder
    os.symlink(outside / "20240501090000.json", watch_dir / "cam1" / "20240501090000.json")  # a file link

    watcher = Watcher(polling=True)
    watcher.start()  # the start-up scan
    watcher.stop()

    assert sorted(PersonEvent.objects.values_list("person_id", flat=True)) == [1, 2]
    assert sorted(IngestedFile.objects.values_list("name", flat=True)) == [
        "cam1/20240501101000.json",
        "cam1/deep/20240501102000.json",
    ]
    assert (watch_dir / "processed" / "cam1" / "20240501101000.json").exists()
    assert (watch_dir / "processed" / "cam1" / "deep" / "20240501102000.json").exists()
    assert not (watch_dir / "cam1" / "20240501101000.json").exists()
    assert (outside / "20240501090000.json").exists()  # never followed, never moved
    assert (watch_dir / ".partial" / "20240501103000.json").exists()
    assert (watch_dir / "failed" / "cam1" / "20240501070000.json").exists()


def test_a_bad_file_in_a_subfolder_goes_to_failed_under_its_subfolder(site, watch_dir):
    (watch_dir / "cam2").mkdir()
    (watch_dir / "cam2" / "bad.json").write_bytes(b"[{")

    result = scan_site(site)

    assert result.rejected[0]["file"] == "cam2/bad.json"
    assert (watch_dir / "failed" / "cam2" / "bad.json").exists()
    assert (watch_dir / "failed" / "cam2" / "bad.json.error.txt").read_text(encoding="utf-8").startswith("malformed")


def test_the_same_name_in_two_subfolders_are_two_files(site, watch_dir):
    for sub, person in (("a", 1), ("b", 2)):
        (watch_dir / sub).mkdir()
        write_events(watch_dir / sub, "20240501101000.json", [event(person, 0, "20240501101000", person)])

    scan_site(site)

    assert PersonEvent.objects.count() == 2
    assert (watch_dir / "processed" / "a" / "20240501101000.json").exists()
    assert (watch_dir / "processed" / "b" / "20240501101000.json").exists()


def test_scan_order_is_by_name_across_subfolders(watch_dir):
    (watch_dir / "z").mkdir()
    (watch_dir / "a").mkdir()
    for folder, name in ((watch_dir / "z", "20240501100000.json"), (watch_dir / "a", "20240501110000.json")):
        (folder / name).write_text("[]")
    (watch_dir / "20240501105000.json").write_text("[]")

    assert [p.name for p in candidate_files(watch_dir)] == [
        "20240501100000.json",
        "20240501105000.json",
        "20240501110000.json",
    ]


def _wait_for(watcher: Watcher, person: int, seconds: float = 20) -> None:
    until = time.monotonic() + seconds
    while not PersonEvent.objects.filter(person_id=person).exists() and time.monotonic() < until:
        watcher.wake.wait(1)
        watcher.wake.clear()
        watcher.tick()


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_observers_see_files_in_new_and_existing_subfolders(site, watch_dir, polling, settings):
    settings.VISITORSFLOW_FULL_SCAN_SECONDS = 3600.0  # only the observer's events lead to scans
    (watch_dir / "existing").mkdir()
    watcher = Watcher(polling=polling)
    watcher.start()
    try:
        watcher.wake.clear()
        write_events(watch_dir / "existing", "20240501101000.json", [event(11, 0, "20240501101000", 11)])
        assert watcher.wake.wait(10), "no event for a file in an existing subfolder"
        _wait_for(watcher, 11)

        watcher.wake.clear()
        (watch_dir / "new" / "sub").mkdir(parents=True)  # created after the watch was scheduled
        write_events(watch_dir / "new" / "sub", "20240501102000.json", [event(12, 1, "20240501102000", 12)])
        assert watcher.wake.wait(10), "no event for a file in a new subfolder"
        _wait_for(watcher, 12)
    finally:
        watcher.stop()

    assert set(PersonEvent.objects.values_list("person_id", flat=True)) == {11, 12}
    assert (watch_dir / "processed" / "new" / "sub" / "20240501102000.json").exists()


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_observers_do_not_follow_a_symlink_out_of_the_folder(site, watch_dir, outside, polling, settings):
    settings.VISITORSFLOW_FULL_SCAN_SECONDS = 3600.0
    os.symlink(outside, watch_dir / "link")
    watcher = Watcher(polling=polling)
    watcher.start()
    try:
        time.sleep(1.5)  # let the first poll take its snapshot
        watcher.wake.clear()
        (outside / "20240501091000.json").write_text(json.dumps([event(667, 0, "20240501091000", 667)]))
        time.sleep(3)  # three polling rounds; inotify reports within milliseconds
        assert not watcher.wake.is_set(), "a change behind a symlink woke the watcher: the link was followed"
        watcher.tick(force=True)
    finally:
        watcher.stop()

    assert not PersonEvent.objects.filter(person_id__in=(666, 667)).exists()
    assert (outside / "20240501091000.json").exists()


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_our_own_moves_into_processed_do_not_wake_the_watcher(site, watch_dir, polling, settings):
    settings.VISITORSFLOW_FULL_SCAN_SECONDS = 3600.0
    (watch_dir / "processed" / "cam1").mkdir(parents=True)
    (watch_dir / "failed").mkdir()
    watcher = Watcher(polling=polling)
    watcher.start()
    try:
        time.sleep(1.5)
        watcher.wake.clear()
        (watch_dir / "processed" / "cam1" / "20240501101000.json").write_text("[]")
        (watch_dir / "failed" / "x.json.error.txt").write_text("reason")
        time.sleep(3)
        assert not watcher.wake.is_set()
    finally:
        watcher.stop()
