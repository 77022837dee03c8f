"""Ingest of seed-shaped files: commit, move, duplicates, rejects (SPEC §6)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pytest

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.ingest import SettleTracker, scan_site
from visitorsflow.models import Alert, IngestedFile, PersonEvent

pytestmark = pytest.mark.django_db

SEED_FILE = [
    event(17, 0, "20240501101825", 3301),
    event(18, 0, "20240501101901", 3420),
    event(17, 1, "20240501102300", 4410),
    event(19, 2, "20240501102825", 5100),
]


def test_seed_file_is_committed_then_moved(site, watch_dir):
    write_events(watch_dir, "20240501102825.json", SEED_FILE)

    result = scan_site(site)

    assert [r["file"] for r in result.ingested] == ["20240501102825.json"]
    assert result.ingested[0]["events"] == 4 and result.ingested[0]["new_events"] == 4
    assert not (watch_dir / "20240501102825.json").exists()
    assert (watch_dir / "processed" / "20240501102825.json").exists()
    rows = list(PersonEvent.objects.filter(site=site).values_list("person_id", "in_out", "time", "frame_number"))
    # Istanbul is UTC+3: 10:18:25 site time is 07:18:25 UTC.
    assert rows == [
        (17, 0, datetime(2024, 5, 1, 7, 18, 25, tzinfo=UTC), 3301),
        (18, 0, datetime(2024, 5, 1, 7, 19, 1, tzinfo=UTC), 3420),
        (17, 1, datetime(2024, 5, 1, 7, 23, 0, tzinfo=UTC), 4410),
        (19, 2, datetime(2024, 5, 1, 7, 28, 25, tzinfo=UTC), 5100),
    ]
    record = IngestedFile.objects.get()
    assert (record.outcome, record.events, record.new_events, record.size) == (
        "processed",
        4,
        4,
        (watch_dir / "processed" / "20240501102825.json").stat().st_size,
    )
    site.refresh_from_db()
    assert site.last_data_at is not None


def test_empty_list_is_valid_and_counts_as_data(site, watch_dir):
    write_events(watch_dir, "20240501103000.json", [])

    result = scan_site(site)

    assert result.ingested == [
        {
            "file": "20240501103000.json",
            "events": 0,
            "new_events": 0,
            "moved_to": str(watch_dir / "processed" / "20240501103000.json"),
        }
    ]
    assert PersonEvent.objects.count() == 0
    site.refresh_from_db()
    assert site.last_data_at is not None


def test_redelivered_file_changes_nothing(site, watch_dir):
    write_events(watch_dir, "20240501102825.json", SEED_FILE)
    scan_site(site)
    write_events(watch_dir, "20240501102825.json", SEED_FILE)

    result = scan_site(site)

    assert result.ingested[0]["new_events"] == 0
    assert PersonEvent.objects.count() == 4
    # the second copy is kept beside the first, not over it
    assert sorted(p.name for p in (watch_dir / "processed").iterdir()) == [
        "20240501102825.1.json",
        "20240501102825.json",
    ]


def test_overlapping_file_adds_only_new_events(site, watch_dir):
    write_events(watch_dir, "a.json", SEED_FILE[:2])
    write_events(watch_dir, "b.json", SEED_FILE[1:])

    result = scan_site(site)

    assert [(r["file"], r["new_events"]) for r in result.ingested] == [("a.json", 2), ("b.json", 2)]
    assert PersonEvent.objects.count() == 4


def test_file_written_in_two_chunks_is_read_only_when_complete(site, watch_dir):
    payload = json.dumps(SEED_FILE)
    path = watch_dir / "20240501102825.json"
    path.write_text(payload[:40])
    tracker = SettleTracker()

    first = scan_site(site, tracker, settle=30.0)

    assert first.pending == ["20240501102825.json"] and first.ingested == [] and first.rejected == []
    with path.open("a") as handle:
        handle.write(payload[40:])
    second = scan_site(site, tracker, settle=30.0)
    assert second.pending == ["20240501102825.json"]
    # the writer stopped 60 s ago: size and mtime have been stable for longer than the settle time
    old = time.time() - 60
    os.utime(path, (old, old))

    third = scan_site(site, tracker, settle=30.0)

    assert [r["file"] for r in third.ingested] == ["20240501102825.json"]
    assert PersonEvent.objects.count() == 4
    assert not (watch_dir / "failed").exists()


def test_unchanged_signature_settles_even_with_a_future_mtime(site, watch_dir):
    """A network share's clock ahead of ours: stable size+mtime observed over the settle time."""
    path = write_events(watch_dir, "x.json", SEED_FILE[:1])
    future = time.time() + 3600
    os.utime(path, (future, future))
    tracker = SettleTracker()
    assert scan_site(site, tracker, settle=0.05).pending == ["x.json"]
    time.sleep(0.06)

    result = scan_site(site, tracker, settle=0.05)

    assert [r["file"] for r in result.ingested] == ["x.json"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b'[{"ID": 1, "inOut": 0, "time": "20240501101825", "frameNumber": 1}',
            "malformed JSON: Expecting ',' delimiter at line 1 column 67",
        ),
        (b'{"ID": 1}', "the file must hold a JSON list, got dict"),
        (
            b'[{"ID": "1", "inOut": 0, "time": "20240501101825", "frameNumber": 1}]',
            "item 0: ID must be an integer, got str",
        ),
        (
            b'[{"ID": 1, "inOut": 3, "time": "20240501101825", "frameNumber": 1}]',
            "item 0: inOut must be 0, 1 or 2, got 3",
        ),
        (
            b'[{"ID": 1, "inOut": true, "time": "20240501101825", "frameNumber": 1}]',
            "item 0: inOut must be an integer, got bool",
        ),
        (
            b'[{"ID": 1, "inOut": 0, "time": 20240501101825, "frameNumber": 1}]',
            "item 0: time must be a YYYYMMDDHHMMSS string",
        ),
        (
            b'[{"ID": 1, "inOut": 0, "time": "20241301101825", "frameNumber": 1}]',
            "item 0: time '20241301101825' is not a valid date and time",
        ),
        (b'[{"ID": 1, "inOut": 0, "time": "20240501101825"}]', "item 0: frameNumber is missing"),
        (
            b'[{"ID": 1, "inOut": 0, "time": "20240501101825", "frameNumber": 1.5}]',
            "item 0: frameNumber must be an integer, got float",
        ),
        (
            b'[{"ID": -1, "inOut": 0, "time": "20240501101825", "frameNumber": 1}]',
            "item 0: ID must be between 0 and 9223372036854775807",
        ),
        (b'[{"ID": 1, "inOut": 0, "time": "20240501101825", "frameNumber": NaN}]', "NaN is not a number JSON allows"),
        (b"[5]", "item 0: must be an object, got int"),
        (b"\xff\xfe[]", "not UTF-8 text (byte 0)"),
        (b"", "malformed JSON: Expecting value at line 1 column 1"),
    ],
)
def test_bad_file_goes_to_failed_with_reason_and_alert(site, watch_dir, content, reason):
    """Unusable as a whole, or its only item is bad: nothing to keep, the file goes to failed/."""
    if reason.startswith("item "):
        reason = f"the item is not a valid event: {reason}"
    (watch_dir / "bad.json").write_bytes(content)

    result = scan_site(site)

    assert result.rejected == [
        {"file": "bad.json", "reason": reason, "moved_to": str(watch_dir / "failed" / "bad.json")}
    ]
    assert PersonEvent.objects.count() == 0
    assert not (watch_dir / "bad.json").exists()
    assert (watch_dir / "failed" / "bad.json").read_bytes() == content
    assert (watch_dir / "failed" / "bad.json.error.txt").read_text(encoding="utf-8") == reason + "\n"
    record = IngestedFile.objects.get()
    assert (record.outcome, record.error) == ("failed", reason)
    alert = Alert.objects.get()
    assert alert.kind == "ingest_error"
    assert alert.text == f"SS-007: 檔案 bad.json 無法處理：{reason}"
    site.refresh_from_db()
    assert site.last_data_at is None


def test_oversized_file_is_rejected_unread(site, watch_dir, settings):
    settings.VISITORSFLOW_MAX_FILE_BYTES = 10
    write_events(watch_dir, "big.json", SEED_FILE)

    result = scan_site(site)

    assert result.rejected[0]["reason"].endswith("bytes, over the 10 limit")
    assert (watch_dir / "failed" / "big.json").exists()
    assert PersonEvent.objects.count() == 0


def test_other_files_and_subfolders_are_left_alone(site, watch_dir):
    (watch_dir / "notes.txt").write_text("x")
    (watch_dir / ".20240501.json.part").write_text("[")
    (watch_dir / ".hidden.json").write_text("[")
    (watch_dir / "processed").mkdir()
    write_events(watch_dir / "processed", "old.json", SEED_FILE)

    result = scan_site(site)

    assert result.as_dict() == {"site": "SS-007", "ingested": [], "rejected": [], "pending": [], "retry": []}
    assert (watch_dir / "notes.txt").exists() and (watch_dir / ".hidden.json").exists()


def test_missing_folder_is_reported_not_raised(site, watch_dir):
    site.watch_dir = str(watch_dir / "gone")

    result = scan_site(site)

    assert result.error == f"watch folder {watch_dir / 'gone'} does not exist"


def test_events_are_per_site(site, watch_dir, store_b, tmp_path):
    from visitorsflow.models import Site

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Site.objects.create(store=store_b, ssid="SS-900", watch_dir=str(other_dir))
    write_events(watch_dir, "a.json", SEED_FILE)
    write_events(other_dir, "a.json", SEED_FILE)

    scan_site(site)
    scan_site(other)

    assert PersonEvent.objects.filter(site=site).count() == 4
    # store_b is in New York (UTC-4 in May): the same local time is a different instant
    assert PersonEvent.objects.filter(site=other).order_by("time").first().time == datetime(
        2024, 5, 1, 14, 18, 25, tzinfo=UTC
    )
