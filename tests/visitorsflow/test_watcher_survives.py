"""The watcher cannot die of a file (issue 13, item 4).

Hypothesis drops sets of hostile files (bad JSON, deep nesting, huge numbers, bad dates, wrong
types, binary junk, empty, over-size, invalid UTF-8, BOMs, NUL; hostile names too) into a real
folder, then one good file: every hostile file must end in failed/ with its reason beside it,
the good one must be ingested, and the watcher goes on — through the start-up scan, the inotify
and the polling observers, and as a real ``manage.py visitorsflow watch`` process.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.visitorsflow import hostile
from visitorsflow.ingest import clean_text, scan_site
from visitorsflow.models import IngestedFile, PersonEvent, Site
from visitorsflow.parsing import ParseError, parse_events
from visitorsflow.watcher import Watcher

COUNTER = itertools.count(1)
ISTANBUL = ZoneInfo("Europe/Istanbul")
hostile_sets = st.lists(st.tuples(hostile.hostile_names, hostile.hostile_content), min_size=1, max_size=5)


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.VISITORSFLOW_MAX_FILE_BYTES = hostile.MAX_FILE_BYTES


def drop(folder: Path, name: bytes, content: bytes) -> bytes:
    """Write under a hidden name, then rename: the watcher never sees a half-written file."""
    final = name + b"-" + str(next(COUNTER)).encode() + b".json"
    hidden = os.path.join(os.fsencode(folder), b"." + final + b".part")
    with open(hidden, "wb") as handle:
        handle.write(content)
    os.replace(hidden, os.path.join(os.fsencode(folder), final))
    return final


def drop_good(folder: Path) -> int:
    """A valid file whose one event is unique to this call; returns its person id."""
    person = 10_000 + next(COUNTER)
    content = json.dumps([{"ID": person, "inOut": 0, "time": "20240501101825", "frameNumber": person}])
    drop(folder, b"zz-good", content.encode())
    return person


def handled(folder: Path, hostile_names: list[bytes], person: int) -> bool:
    top = set(os.listdir(os.fsencode(folder)))
    return PersonEvent.objects.filter(person_id=person).exists() and not (set(hostile_names) & top)


def assert_outcome(folder: Path, hostile_names: list[bytes], person: int) -> None:
    failed = os.path.join(os.fsencode(folder), b"failed")
    for name in hostile_names:
        assert not os.path.exists(os.path.join(os.fsencode(folder), name)), name
        assert os.path.exists(os.path.join(failed, name)), name
        reason = Path(os.fsdecode(os.path.join(failed, name + b".error.txt"))).read_text(encoding="utf-8")
        assert reason.strip(), name
        record = IngestedFile.objects.get(name=clean_text(os.fsdecode(name), 255), outcome="failed")
        assert record.error == reason.strip()
    assert PersonEvent.objects.get(person_id=person).frame_number == person
    good = [n for n in os.listdir(os.path.join(os.fsencode(folder), b"processed")) if n.startswith(b"zz-good")]
    assert good, "the good file was not moved to processed/"


@pytest.mark.django_db
@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(files=hostile_sets)
def test_start_up_scan_takes_hostile_files_aside_and_ingests_the_good_one(site, watch_dir, files):
    names = [drop(watch_dir, name, content) for name, content in files]
    person = drop_good(watch_dir)
    watcher = Watcher(polling=True)

    watcher.start()  # the start-up scan: files that arrived while the watcher was down
    watcher.stop()

    assert_outcome(watch_dir, names, person)
    assert not watcher.pending


@pytest.mark.django_db
@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_observed_paths_take_hostile_files_aside_and_go_on(site, watch_dir, polling, settings):
    settings.VISITORSFLOW_FULL_SCAN_SECONDS = 3600.0  # only the observer's events lead to scans
    watcher = Watcher(polling=polling)
    watcher.start()

    @hsettings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(files=hostile_sets)
    def one_batch(files):
        watcher.wake.clear()
        names = [drop(watch_dir, name, content) for name, content in files]
        person = drop_good(watch_dir)
        until = time.monotonic() + 20
        while not handled(watch_dir, names, person) and time.monotonic() < until:
            watcher.wake.wait(1)
            watcher.wake.clear()
            watcher.tick()
        assert_outcome(watch_dir, names, person)

    try:
        one_batch()
        assert watcher.observer.is_alive()
    finally:
        watcher.stop()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'[{"ID":48,"inOut":0,"time":"00010101000000","frameNumber":48}]', "outside the representable range"),
        (b"[" * 10_000 + b"]" * 10_000, "malformed JSON: nested too deeply"),
        (b"[" + b"9" * 5000 + b"]", "malformed JSON: Exceeds the limit (4300 digits)"),
        (b'[{"ID":1,"inOut":0,"time":"\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa42024050110","frameNumber":1}]', "YYYYMMDDHHMMSS"),
    ],
    ids=["year-1-east-of-utc", "10000-deep", "5000-digits", "arabic-digits"],
)
def test_the_files_that_killed_the_watcher_are_parse_errors(content, reason):
    with pytest.raises(ParseError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_events(content, ISTANBUL)


def test_year_9999_west_of_utc_is_a_parse_error():
    with pytest.raises(ParseError, match="outside the representable range"):
        parse_events(b'[{"ID":1,"inOut":0,"time":"99991231230000","frameNumber":1}]', ZoneInfo("America/New_York"))


@pytest.mark.django_db
def test_an_unforeseen_parser_failure_still_moves_only_that_file(site, watch_dir, monkeypatch):
    import visitorsflow.ingest as ingest

    real = ingest.parse_file

    def parser_with_a_bug(raw, tz):
        if b"boom" in raw:
            raise RuntimeError("boom")
        return real(raw, tz)

    monkeypatch.setattr(ingest, "parse_file", parser_with_a_bug)  # a bug of ours, at the parser boundary
    (watch_dir / "a.json").write_bytes(b'["boom"]')
    person = drop_good(watch_dir)

    result = scan_site(site)

    assert result.rejected[0]["reason"] == "could not be read: RuntimeError: boom"
    assert (watch_dir / "failed" / "a.json.error.txt").read_text() == "could not be read: RuntimeError: boom\n"
    assert PersonEvent.objects.filter(person_id=person).count() == 1


@pytest.mark.django_db
def test_a_file_that_cannot_be_moved_is_recorded_once_and_the_rest_goes_on(site, watch_dir):
    (watch_dir / "failed").write_text("not a folder")  # failed/ cannot be created: bad files stay
    (watch_dir / "bad.json").write_bytes(b"[{")
    watcher = Watcher(polling=True)

    watcher.tick(force=True)
    person = drop_good(watch_dir)
    watcher.tick(force=True)
    watcher.tick(force=True)

    assert (watch_dir / "bad.json").exists()
    assert IngestedFile.objects.filter(outcome="failed").count() == 1  # not once per tick
    assert PersonEvent.objects.filter(person_id=person).count() == 1


@pytest.mark.django_db
def test_a_broken_site_never_stops_the_others(site, watch_dir, store_b, tmp_path):
    from stores.models import Store

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    Site.objects.create(store=store_b, ssid="SS-900", watch_dir=str(other_dir))
    Store.objects.filter(pk=site.store_id).update(timezone="Mars/Olympus_Mons")
    (watch_dir / "a.json").write_bytes(b"[]")
    person = drop_good(other_dir)

    results = Watcher(polling=True).tick(force=True)

    errors = {r.site: r.error for r in results}
    assert errors["SS-007"].startswith("store time zone 'Mars/Olympus_Mons' is not usable")
    assert errors["SS-900"] == ""
    assert (watch_dir / "a.json").exists()  # the site's problem is not the file's: it stays
    assert PersonEvent.objects.filter(person_id=person).count() == 1


def _database_url() -> str:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_watch_process_survives_the_killers_and_ingests_what_follows(site, watch_dir):
    """A real ``manage.py visitorsflow watch`` on the test database: the two files of the issue
    (and one of each kind) are put aside, the good file after them is ingested, the process lives."""
    names = [
        drop(watch_dir, b"overflow", b'[{"ID":48,"inOut":0,"time":"00010101000000","frameNumber":48}]'),
        drop(watch_dir, b"deep", b"[" * 10_000 + b"]" * 10_000),
        drop(watch_dir, b"digits", b"[" + b"9" * 5000 + b"]"),
        drop(watch_dir, b"junk", b"\x00\xff\xfe binary"),
        drop(watch_dir, b"empty", b""),
        drop(watch_dir, b"huge", b"[]" + b" " * (hostile.MAX_FILE_BYTES + 1)),
        drop(watch_dir, b"\xff-not-utf8-name", b"[{"),
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.test",
        "DATABASE_URL": _database_url(),
        "VISITORSFLOW_SETTLE_SECONDS": "0",
        "VISITORSFLOW_WATCH_TICK_SECONDS": "0.2",
        "VISITORSFLOW_MAX_FILE_BYTES": str(hostile.MAX_FILE_BYTES),
    }
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "visitorsflow", "watch", "--polling"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        until = time.monotonic() + 60
        while not all((watch_dir / "failed" / os.fsdecode(n)).exists() for n in names) and time.monotonic() < until:
            assert process.poll() is None, process.stderr.read().decode(errors="replace")[-3000:]
            time.sleep(0.2)
        person = drop_good(watch_dir)  # dropped while the process runs: the inotify/polling path
        while not PersonEvent.objects.filter(person_id=person).exists() and time.monotonic() < until:
            assert process.poll() is None, process.stderr.read().decode(errors="replace")[-3000:]
            time.sleep(0.2)

        assert process.poll() is None, "the watcher process ended"
        assert_outcome(watch_dir, names, person)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0
