"""The export payload, byte for byte, posted to a real HTTP server on 127.0.0.1 (SPEC §6, seed 002)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from visitorsflow.export import build_payload, export_site, render
from visitorsflow.models import ExportAttempt, PersonEvent, Site

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 5, 1, 7, 40, 0, tzinfo=UTC)  # 10:40 in Istanbul

EXPECTED = (
    b'[{"SSID":"SS-007","TagType":"Count","TagID":"901","TagValue":"2",'
    b'"StartTime":"20240501000000","EndTime":"20240501102825"},'
    b'{"SSID":"SS-007","TagType":"CountAccuIn","TagID":"902","TagValue":"3",'
    b'"StartTime":"20240501000000","EndTime":"20240501102825"},'
    b'{"SSID":"SS-007","TagType":"CountAccuOut","TagID":"903","TagValue":"1",'
    b'"StartTime":"20240501000000","EndTime":"20240501102825"}]'
)


def local(stamp: str) -> datetime:
    """Istanbul local YYYYMMDDHHMMSS → UTC (UTC+3)."""
    return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC) - timedelta(hours=3)


def add_events(site, rows):
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(site=site, person_id=pid, in_out=io, time=local(t), frame_number=n)
            for n, (pid, io, t) in enumerate(rows)
        ]
    )


@pytest.fixture
def known_day(site):
    add_events(
        site,
        [
            (1, 0, "20240430235959"),  # yesterday: not today's count
            (2, 2, "20240501000000"),  # passed by: a record (first time), not in or out
            (17, 0, "20240501101825"),
            (18, 0, "20240501101901"),
            (17, 1, "20240501102300"),
            (19, 0, "20240501102825"),
            (20, 0, "20240501105000"),  # after "now": the next export counts it
        ],
    )
    return site


def test_payload_is_the_seed_shape_with_string_values(known_day):
    payload = build_payload(known_day, NOW)

    assert payload == json.loads(EXPECTED)
    assert all(isinstance(v, str) for row in payload for v in row.values())
    assert [list(row) for row in payload] == [["SSID", "TagType", "TagID", "TagValue", "StartTime", "EndTime"]] * 3
    assert render(payload) == EXPECTED


def test_exact_bytes_reach_a_real_http_server(known_day, api_server):
    Site.objects.filter(pk=known_day.pk).update(export_url=api_server.url)
    known_day.refresh_from_db()

    with freeze_time(NOW):
        outcome = export_site(known_day)

    assert len(api_server.requests) == 1
    request = api_server.requests[0]
    assert request["path"] == "/api/flow"
    assert request["body"] == EXPECTED
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    attempt = ExportAttempt.objects.get()
    assert attempt == outcome.attempt
    assert (attempt.status, attempt.http_status, attempt.response, attempt.retry, attempt.error) == (
        "sent",
        200,
        '{"result":"ok"}',
        0,
        "",
    )
    assert attempt.payload == json.loads(EXPECTED)


def test_count_never_goes_below_zero(site):
    add_events(site, [(1, 1, "20240501080000"), (2, 1, "20240501090000"), (3, 0, "20240501093000")])

    payload = build_payload(site, NOW)

    assert [(r["TagType"], r["TagValue"]) for r in payload] == [
        ("Count", "0"),
        ("CountAccuIn", "1"),
        ("CountAccuOut", "2"),
    ]
    assert (payload[0]["StartTime"], payload[0]["EndTime"]) == ("20240501080000", "20240501093000")


def test_custom_tag_ids_and_other_sites_do_not_mix(known_day, store_b, tmp_path):
    other = Site.objects.create(store=store_b, ssid="SS-900", watch_dir=str(tmp_path))
    add_events(other, [(5, 0, "20240501101000"), (6, 0, "20240501101100")])
    Site.objects.filter(pk=known_day.pk).update(tag_count=11, tag_accu_in=12, tag_accu_out=13)
    known_day.refresh_from_db()

    payload = build_payload(known_day, NOW)

    assert [(r["TagID"], r["TagValue"]) for r in payload] == [("11", "2"), ("12", "3"), ("13", "1")]


def test_no_events_today_sends_nothing_and_logs_it(site, api_server, caplog):
    Site.objects.filter(pk=site.pk).update(export_url=api_server.url)
    site.refresh_from_db()
    add_events(site, [(1, 0, "20240430120000")])

    with freeze_time(NOW):
        outcome = export_site(site)

    assert api_server.requests == []
    assert (outcome.attempt.status, outcome.attempt.note, outcome.attempt.payload) == (
        "skipped",
        "no events today",
        None,
    )
    assert "SS-007: no events today, nothing exported" in caplog.text


def test_dry_run_prints_the_exact_array_and_posts_nothing(known_day, api_server):
    Site.objects.filter(pk=known_day.pk).update(export_url=api_server.url)
    out = StringIO()

    with freeze_time(NOW):
        call_command("visitorsflow", "export", "--site", "SS-007", "--dry-run", stdout=out)

    assert out.getvalue().encode() == EXPECTED + b"\n"
    assert api_server.requests == [] and ExportAttempt.objects.count() == 0


def test_cli_export_posts_and_prints_the_attempt(known_day, api_server):
    Site.objects.filter(pk=known_day.pk).update(export_url=api_server.url)
    out = StringIO()

    with freeze_time(NOW):
        call_command("visitorsflow", "export", "--site", "SS-007", stdout=out)

    printed = json.loads(out.getvalue())
    assert (printed["status"], printed["http_status"], printed["response"]) == ("sent", 200, '{"result":"ok"}')
    assert api_server.requests[0]["body"] == EXPECTED


def test_day_boundary_is_site_local_midnight(site):
    # 21:30 UTC on 30 April is 00:30 on 1 May in Istanbul: "today" has begun there.
    add_events(site, [(1, 0, "20240430235000"), (2, 0, "20240501002000")])

    payload = build_payload(site, datetime(2024, 4, 30, 21, 30, tzinfo=UTC))

    assert [(r["TagValue"], r["StartTime"]) for r in payload][1] == ("1", "20240501002000")
