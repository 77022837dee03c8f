"""Partly bad files (issue 14, item 5): every valid event is stored, every bad item is reported.

Hypothesis writes lists mixing valid events with bad items of every kind (not objects, missing
fields, wrong types, out-of-range numbers, impossible dates) and checks, on the real folder and
database: the stored events are exactly the valid ones, the report beside the file lists exactly
the bad positions with a reason and the item itself, the log row says ``partial`` with the count,
and dropping the same file again stores nothing twice.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from visitorsflow.ingest import scan_site
from visitorsflow.models import Alert, IngestedFile, PersonEvent
from visitorsflow.parsing import BIGINT_MAX

pytestmark = pytest.mark.django_db
ISTANBUL = ZoneInfo("Europe/Istanbul")
COUNTER = itertools.count(1)

stamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)).map(  # noqa: DTZ001
    lambda moment: moment.strftime("%Y%m%d%H%M%S")
)
ids = st.integers(min_value=0, max_value=BIGINT_MAX)
good_items = st.fixed_dictionaries(
    {"ID": ids, "inOut": st.sampled_from([0, 1, 2]), "time": stamps, "frameNumber": ids},
    optional={"extra": st.text(max_size=5)},  # unknown keys are ignored, as the counter may add some
)
FIELDS = ("ID", "inOut", "time", "frameNumber")
# Wrong values that are still JSON: Infinity/NaN are not JSON at all, so such a file is unusable
# as a whole and goes to failed/ (tests/visitorsflow/hostile.py), not item by item.
wrong_values = {
    "ID": st.one_of(
        st.text(max_size=5), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.integers(max_value=-1)
    ),
    "inOut": st.one_of(st.integers(min_value=3), st.integers(max_value=-1), st.booleans(), st.text(max_size=3)),
    "time": st.one_of(
        st.integers(),
        st.sampled_from(["20241301101825", "20240230101825", "2024050110182", "", "2024-05-01 10:18"]),
        st.text(alphabet="٠١٢٣٤٥٦٧٨٩", min_size=14, max_size=14),
    ),
    "frameNumber": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=BIGINT_MAX + 1), st.none()
    ),
}


def _broken(field: str):
    return st.tuples(good_items, wrong_values[field]).map(lambda pair: {**pair[0], field: pair[1]})


bad_items = st.one_of(
    st.one_of(st.integers(), st.text(max_size=5), st.none(), st.booleans(), st.lists(st.integers(), max_size=2)),
    st.tuples(good_items, st.sampled_from(FIELDS)).map(lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]}),
    *(_broken(field) for field in FIELDS),
)


def utc(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=ISTANBUL).astimezone(UTC)  # noqa: DTZ007


def stored() -> set[tuple]:
    return set(PersonEvent.objects.values_list("person_id", "in_out", "time", "frame_number"))


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    items=st.lists(
        st.one_of(good_items.map(lambda i: (True, i)), bad_items.map(lambda i: (False, i))), min_size=1, max_size=15
    )
)
def test_every_valid_event_is_stored_and_every_bad_item_reported(site, watch_dir, items):
    PersonEvent.objects.all().delete()
    IngestedFile.objects.all().delete()
    name = f"2024050110{next(COUNTER):04d}.json"
    content = json.dumps([item for _, item in items]).encode()
    (watch_dir / name).write_bytes(content)
    good = [item for ok, item in items if ok]
    bad = [index for index, (ok, _) in enumerate(items) if not ok]

    result = scan_site(site)

    assert stored() == {(i["ID"], i["inOut"], utc(i["time"]), i["frameNumber"]) for i in good}
    record = IngestedFile.objects.get(name=name)
    assert record.rejected_records == len(bad)
    assert [r["index"] for r in record.rejects] == bad
    kind = "processed" if good else "failed"
    target = watch_dir / kind / name
    assert target.read_bytes() == content
    assert not (watch_dir / name).exists()
    if not bad:
        assert record.outcome == "processed" and not (watch_dir / kind / f"{name}.rejects.json").exists()
        return
    report = json.loads((watch_dir / kind / f"{name}.rejects.json").read_text(encoding="ascii"))
    assert [row["index"] for row in report["rejected"]] == bad
    for row in report["rejected"]:
        assert row["reason"].startswith(f"item {row['index']}: ")
        assert row["record"] == items[row["index"]][1]
    assert (report["items"], report["stored"]) == (len(items), len(good))
    if good:
        assert (record.outcome, record.events) == ("partial", len(good))
        assert record.error.startswith(f"{len(bad)} of {len(items)} items rejected: item {bad[0]}: ")
        assert result.ingested[0]["rejected"] == len(bad)
    else:
        assert record.outcome == "failed"
        assert result.rejected[0]["reason"] == record.error


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.lists(good_items, min_size=1, max_size=6), bad=st.lists(bad_items, min_size=1, max_size=6))
def test_dropping_a_partial_file_again_stores_nothing_twice(site, watch_dir, good, bad):
    PersonEvent.objects.all().delete()
    name = f"2024050111{next(COUNTER):04d}.json"
    content = json.dumps([*bad, *good]).encode()
    (watch_dir / name).write_bytes(content)
    scan_site(site)
    first = stored()

    (watch_dir / name).write_bytes(content)
    result = scan_site(site)

    assert stored() == first
    assert result.ingested[0]["new_events"] == 0
    again = IngestedFile.objects.filter(name=name).order_by("-id").first()
    assert (again.outcome, again.new_events, again.rejected_records) == ("partial", 0, len(bad))
    stem = name.removesuffix(".json")
    assert (watch_dir / "processed" / f"{stem}.1.json").read_bytes() == content
    assert (watch_dir / "processed" / f"{stem}.1.json.rejects.json").exists()


def test_a_partial_file_alerts_once_in_the_sites_language_and_counts_as_data(site, watch_dir):
    content = [
        {"ID": 1, "inOut": 0, "time": "20240501101825", "frameNumber": 3},
        {"ID": "x", "inOut": 0, "time": "20240501101826", "frameNumber": 4},
        {"ID": 2, "inOut": 9, "time": "20240501101827", "frameNumber": 5},
    ]
    (watch_dir / "20240501102000.json").write_text(json.dumps(content), encoding="utf-8")

    scan_site(site)

    alert = Alert.objects.get()
    assert alert.kind == "ingest_error"
    assert alert.text == (
        "SS-007: 檔案 20240501102000.json 有 2 筆資料無法處理（已儲存 1 筆）：2 of 3 items rejected: "
        "item 1: ID must be an integer, got str; item 2: inOut must be 0, 1 or 2, got 9"
    )
    site.refresh_from_db()
    assert site.last_data_at is not None  # valid data arrived: the silence timer restarts
    assert PersonEvent.objects.get().person_id == 1


def test_a_file_unusable_as_a_whole_still_goes_to_failed(site, watch_dir):
    (watch_dir / "a.json").write_bytes(b'{"ID": 1}')
    (watch_dir / "b.json").write_bytes(b"[{")

    result = scan_site(site)

    assert {r["file"]: r["reason"] for r in result.rejected} == {
        "a.json": "the file must hold a JSON list, got dict",
        "b.json": "malformed JSON: Expecting property name enclosed in double quotes at line 1 column 3",
    }
    assert (watch_dir / "failed" / "a.json").exists() and (watch_dir / "failed" / "b.json").exists()
    assert not (watch_dir / "failed" / "a.json.rejects.json").exists()
    assert set(IngestedFile.objects.values_list("outcome", flat=True)) == {"failed"}
