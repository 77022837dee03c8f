"""The bench harness on tiny sizes, so it cannot rot silently (no timing is asserted here).

``make bench`` is not run in CI; these tests run each harness function once, in seconds:
statistics, the load generators against a live server (bare view, XML push, sender JSON with
Basic and token), the query benchmark (PostgreSQL only: elsewhere it must refuse clearly),
capture with small frames, VisitorsFlow, and the report writer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bench import capture, http, ingest, queries, report, visitorsflow
from bench.stats import interleave, median, ratio

ROOT = Path(__file__).resolve().parents[2]


def test_interleave_runs_a_b_a_b_and_medians():
    order = []
    runs = {"a": lambda: order.append("a") or len(order), "b": lambda: order.append("b") or len(order)}
    results = interleave(runs, rounds=3)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert results == {"a": [1, 3, 5], "b": [2, 4, 6]}
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert ratio(1.0, 4.0) == 0.25


def test_bodies_vary_device_and_minute_per_request():
    scenario = http.Scenario("x", "/", body_template=ingest.metrics_template(), devices=3, epoch=1_700_000_000)
    first, fourth = http.render_body(scenario, 0), http.render_body(scenario, 3)
    assert b'DeviceId="bench-0"' in first and b'UnixStartTime="1700000000"' in first
    assert b'DeviceId="bench-0"' in fourth and b'UnixStartTime="1700000060"' in fourth
    assert b"{{" not in first
    customers = http.Scenario("c", "/", body_template=ingest.CUSTOMERS_TEMPLATE, devices=2, epoch=1_600_000_000)
    assert b'"camera_id": "kapi-1", "timestamp": "2020-09-13T12:00"' in http.render_body(customers, 1)


def test_wrk_summary_line_is_parsed():
    text = (
        'Running 1s test\nBENCH_JSON {"requests": 200, "duration_us": 2000000, "non2xx": 1, '
        '"statuses": {"500": 1}, "errors": {"connect": 0, "read": 2, "write": 0, "timeout": 0}, '
        '"p50_us": 900, "p90_us": 1500, "p99_us": 4000, "max_us": 9000, "mean_us": 1000.5}\n'
    )
    parsed = http.parse_wrk_output(text)
    assert (parsed["rps"], parsed["failed"], parsed["p99_us"]) == (100.0, 3, 4000)
    with pytest.raises(ValueError):
        http.parse_wrk_output("no summary")


@pytest.mark.django_db(transaction=True)
def test_ingest_scenarios_succeed_against_a_live_server(live_server, settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.SECURE_SSL_REDIRECT = False
    fixtures = ingest.create_fixtures(stores=3)
    items = ingest.scenarios(fixtures, devices=5)
    assert ingest.preflight(live_server.url, items) == {
        "bare": 200,
        "xml_push": 200,
        "customers_basic": 201,
        "customers_token": 201,
    }
    for generator in (http.run_python_client, http.load):  # the stand-in, then wrk when installed
        result = generator(live_server.url, items["xml_push"], 1.0, 2, 1)
        assert result["requests"] > 0 and result["failed"] == 0, result
    summary = ingest.run(live_server.url, fixtures, rounds=1, duration=1.0, connections=2)
    assert set(summary["results"]) == {"bare", "xml_push", "customers_basic", "customers_token"}
    assert summary["results"]["bare"]["ratio_to_bare"] == 1.0
    assert all(item["failed_total"] == 0 for item in summary["results"].values())


@pytest.mark.django_db
def test_query_benchmark_on_tiny_data():
    result = queries.run([1, 2], stores=3, devices=2, rounds=1)
    assert [load["minute_rows"] for load in result["loads"]] == [3 * 2 * 1440, 3 * 2 * 1440]
    assert result["rollup_check"]["equal"] is True and result["rollup_check"]["hours"] == 3
    last = result["stages"][-1]
    assert last["days_loaded"] == 2
    assert last["rows_or_bytes"]["raw_year_day"] == 2 or last["rows_or_bytes"]["raw_year_day"] == 3  # local days
    assert set(last["ratios"]) == {
        "footfall_year_day",
        "footfall_week_hour",
        "selector_year_day",
        "selector_week_hour",
        "brand_month",
    }


def test_capture_session_and_raw_client_on_small_frames(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEDIA_ROOT": str(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "vislivis.settings.test")
    result = capture.run(env, duration=0.6, rounds=1, fps=10.0, scale=16)
    assert set(result["cameras"]) == {"cam-rgb", "cam-mono16"}
    session = result["runs"]["session"][0]
    assert session["dropped"] == 0
    assert session["saved"] == session["received"]
    assert result["runs"]["raw"][0]["bytes_held"] > 0
    # Both clients report which share of the produced frames they received (seq range coverage).
    for kind in ("raw", "session"):
        for share in result["runs"][kind][0]["coverage"].values():
            assert 0.5 < share <= 1.0
    assert 0.5 < result["min_coverage_ratio"] <= 2.0


def test_coverage_counts_frames_against_the_sequence_range():
    assert capture.coverage(10, 100, 109) == 1.0
    assert capture.coverage(9, 100, 109) == 0.9
    assert capture.coverage(0, None, None) == 0.0
    message = capture_frame("cam-x", 42)
    assert capture.frame_seq(message) == ("cam-x", 42)


def capture_frame(camera: str, seq: int) -> bytes:
    from pantilt.frames import pack_frame

    return pack_frame(camera, seq, 0.0, 2, 2, "mono8", b"\x00" * 4)
    assert sys.executable  # the children ran with this interpreter


@pytest.mark.django_db
def test_visitorsflow_export_and_watcher(settings):
    settings.VISITORSFLOW_SETTLE_SECONDS = 0.2
    settings.VISITORSFLOW_WATCH_TICK_SECONDS = 0.2
    export = visitorsflow.export_build(300, repeats=2)
    accu_in = next(item for item in export["payload"] if item["TagType"] == "CountAccuIn")
    assert accu_in["TagValue"] == "150"
    watched = visitorsflow.watcher_intake(5, timeout=20)
    assert (watched["committed"], watched["processed"]) == (5, 5)


def test_report_keeps_prose_and_marks_misses(tmp_path):
    results = {
        "ingest": {
            "connections": 16,
            "duration_s": 10,
            "results": {
                "bare": {
                    "rps_median": 1000,
                    "p99_ms_median": 5,
                    "ratio_to_bare": 1.0,
                    "failed_total": 0,
                    "requests_total": 10,
                },
                "xml_push": {
                    "rps_median": 500,
                    "p99_ms_median": 9,
                    "ratio_to_bare": 0.5,
                    "failed_total": 0,
                    "requests_total": 10,
                },
                "customers_basic": {
                    "rps_median": 100,
                    "p99_ms_median": 9,
                    "ratio_to_bare": 0.1,
                    "failed_total": 0,
                    "requests_total": 10,
                },
                "customers_token": {
                    "rps_median": 100,
                    "p99_ms_median": 9,
                    "ratio_to_bare": 0.1,
                    "failed_total": 1,
                    "requests_total": 10,
                },
            },
        },
        "visitorsflow": {
            "export": {"events": 50_000, "build_ms_median": 20.0},
            "watcher": {"files": 1000, "seconds": 4.0, "committed": 1000},
        },
    }
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nIntro.\n\n{report.BEGIN}\nSTALE-TABLE\n{report.END}\n\n## Misses\n\nWhy.\n")
    rows = report.write(results, tmp_path / "r.json", doc, "Header.")
    holds = {row["goal"]: row["holds"] for row in rows}
    assert holds["XML push (seed Metrics, 3 objects) ≥ 0.40 × bare"] is True
    assert holds["sender JSON /api/analytics/customers, Basic ≥ 0.40 × bare"] is False
    assert holds["zero non-2xx under 16 connections for 10 s"] is False
    text = doc.read_text()
    assert "Intro." in text and "## Misses\n\nWhy." in text and "STALE-TABLE" not in text
    assert "| XML push (seed Metrics, 3 objects) ≥ 0.40 × bare | 0.50 × (500 req/s, p99 9 ms) | yes |" in text
    assert (tmp_path / "r.json").exists()
