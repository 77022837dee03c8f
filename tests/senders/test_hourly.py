"""``senders hourly --config store.toml``: the seed's run_hourly.sh as one command, one batch per feed."""

from __future__ import annotations

import io
import json
import shutil

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from tests.factories import PASSWORD


def store_toml(tmp_path, url: str, extra: str = "") -> str:
    path = tmp_path / "store.toml"
    path.write_text(
        f'[panel]\nurl = "{url}"\nusername = "boyner"\npassword_file = "{tmp_path / "password"}"\n\n'
        f'[hourly]\nzones = ["erkek-giyim", "kadin-giyim", "aksesuar"]\ncashiers = ["Kasa-1", "Kasa-2", "Kasa-3"]\n'
        + extra,
        encoding="utf-8",
    )
    (tmp_path / "password").write_text(PASSWORD + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_hourly_sends_all_feeds_in_one_request_each(sender, live_server, sender_a, store_a, payloads, tmp_path):
    config = store_toml(tmp_path, live_server.url, f'input = "{payloads / "hour.json"}"\n')
    run = sender("hourly", "--config", config, user=None, password=None)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "hourly: 2026-02-16T14:00 UTC: customers 1, heatmaps 3, queues 3",
        "customers: sent 1 record (201 created)",
        "heatmaps: sent 3 records (201 created)",
        "queues: sent 3 records (201 created)",
        "summary: 7 sent, 0 spooled, 0 rejected",
    ]
    assert list(HourlyCustomers.objects.values_list("entered", "exited")) == [(12, 10)]
    assert sorted(HourlyZoneHeatmap.objects.values_list("zone__name", "visitor_count", "intensity")) == [
        ("aksesuar", 17, 22.0),
        ("erkek-giyim", 50, 40.0),
        ("kadin-giyim", 61, 35.2),
    ]
    assert sorted(HourlyQueue.objects.values_list("cashier__name", "total_customers")) == [
        ("Kasa-1", 10),
        ("Kasa-2", 12),
        ("Kasa-3", 9),
    ]
    # running the same hour again updates, never doubles
    again = sender("hourly", "--config", config, user=None, password=None)
    assert again.code == 0, again.err
    assert "heatmaps: sent 3 records (200 updated)" in again.out
    assert (HourlyCustomers.objects.count(), HourlyZoneHeatmap.objects.count(), HourlyQueue.objects.count()) == (
        1,
        3,
        3,
    )


def test_hourly_from_stdin_reports_missing_zone(sender, live_server, sender_a, store_a, tmp_path):
    config = store_toml(tmp_path, live_server.url)
    numbers = {
        "customers": {"entered": 3, "exited": 1},
        "heatmaps": [{"zone": "erkek-giyim", "visitor_count": 5, "intensity": 4}],
        "queues": {"Kasa-1": {"total_customers": 2, "wait_time": 30}, "Kasa-2": {"total_customers": 1, "wait_time": 9}},
    }
    run = sender(
        "hourly",
        "--config",
        config,
        "--input",
        "-",
        "--timestamp",
        "2026-02-16T11:00",
        stdin=io.StringIO(json.dumps(numbers)),
        user=None,
        password=None,
    )
    assert run.code == 0, run.err  # everything the AI reported arrived; the gaps are warnings (issue 18)
    assert "warning: hourly: no numbers for zones kadin-giyim, aksesuar this hour" in run.err
    assert "warning: hourly: no numbers for cashiers Kasa-3 this hour" in run.err
    assert list(HourlyZoneHeatmap.objects.values_list("zone__name", "hour__hour")) == [("erkek-giyim", 11)]
    assert HourlyQueue.objects.count() == 2


def test_hourly_bad_record_sends_nothing(sender, live_server, sender_a, payloads, tmp_path, spool_dir):
    numbers = json.loads((payloads / "hour.json").read_text(encoding="utf-8"))
    numbers["queues"][1]["wait_time"] = -3
    (tmp_path / "hour.json").write_text(json.dumps(numbers), encoding="utf-8")
    config = store_toml(tmp_path, live_server.url, f'input = "{tmp_path / "hour.json"}"\n')
    run = sender("hourly", "--config", config, user=None, password=None)
    assert run.code == 2
    assert "hourly: invalid queues.1.wait_time: Ensure this value is greater than or equal to 0." in run.err
    assert (HourlyCustomers.objects.count(), HourlyZoneHeatmap.objects.count(), HourlyQueue.objects.count()) == (
        0,
        0,
        0,
    )
    assert not (spool_dir / "spool.sqlite3").exists()


def test_hourly_while_down_spools_three_requests_then_flushes(
    sender, live_server, sender_a, store_a, payloads, tmp_path, down_url
):
    shutil.copy(payloads / "hour.json", tmp_path / "hour.json")
    down = sender("hourly", "--input", str(tmp_path / "hour.json"), url=down_url)
    assert down.code == 4
    assert "summary: 0 sent, 7 spooled, 0 rejected; 3 requests waiting" in down.out
    up = sender("spool", "flush", url=live_server.url)
    assert up.code == 0, up.err
    assert "spool: sent 3 earlier requests (7 records)" in up.out
    assert (HourlyCustomers.objects.count(), HourlyZoneHeatmap.objects.count(), HourlyQueue.objects.count()) == (
        1,
        3,
        3,
    )
    assert sender("spool", "flush", url=live_server.url).out.startswith("spool: nothing waiting")


def test_hourly_without_input_is_a_usage_error(sender, tmp_path, down_url):
    run = sender("hourly", "--config", store_toml(tmp_path, down_url), user=None, password=None)
    assert run.code == 2
    assert "no input: give --input FILE" in run.err
