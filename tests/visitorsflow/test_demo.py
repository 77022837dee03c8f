"""The demo's VisitorsFlow site (issue 18, item 3): a folder, a week of events, an export that works.

The loader writes real counter files and runs the real ingest; the export goes over real HTTP
(pytest-django's live server) to the demo's own stand-in for the official API.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from visitorsflow import demo, export, folders
from visitorsflow.models import ExportAttempt, IngestedFile, PersonEvent, Site
from visitorsflow.watcher import Watcher

pytestmark = pytest.mark.django_db
API_PATH = "/demo/visitorsflow/official-api"


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.VISITORSFLOW_ROOT = str(tmp_path / "var" / "visitorsflow")
    settings.VISITORSFLOW_DEMO_API = True
    settings.VISITORSFLOW_DEMO_API_LOG = tmp_path / "received.jsonl"
    settings.VISITORSFLOW_DEMO_EXPORT_URL = "http://127.0.0.1:5000" + API_PATH
    return settings


def test_the_loader_gives_the_first_store_a_site_with_a_week_of_ingested_files(demo_settings, store_a, store_a2):
    written = demo.load(store_a, days=7)
    assert demo.load(store_a2, days=7) == 0  # one site per brand: the first store's

    site = Site.objects.get()
    assert (site.store, site.ssid, site.language, site.enabled) == (store_a, "SS-007", "zh-hant", True)
    assert site.watch_dir == str(folders.derived(store_a.tenant_id, "SS-007"))
    assert site.export_url == "http://127.0.0.1:5000" + API_PATH
    assert written >= 6 * 24 + 1  # six whole days and today so far
    assert IngestedFile.objects.filter(site=site).count() == written
    outcomes = list(IngestedFile.objects.values_list("outcome", flat=True))
    assert outcomes.count("partial") == 1 and "failed" not in outcomes
    days = {event.time.astimezone(timezone.get_current_timezone()).date() for event in PersonEvent.objects.all()}
    assert len(days) >= 7
    today = export.build_payload(site)
    assert today is not None and int(today[1]["TagValue"]) >= 1  # today is never empty: the export sends
    processed = folders.derived(store_a.tenant_id, "SS-007") / "processed"
    assert len([p for p in processed.glob("*.json") if not p.name.endswith(".rejects.json")]) == written
    assert len(list(processed.glob("*.rejects.json"))) == 1


def test_the_loader_is_idempotent(demo_settings, store_a):
    demo.load(store_a, days=3)
    events, files = PersonEvent.objects.count(), IngestedFile.objects.count()

    assert demo.load(store_a, days=3) == 0

    assert (PersonEvent.objects.count(), IngestedFile.objects.count()) == (events, files)
    assert Site.objects.count() == 1


def test_a_taken_ssid_is_left_alone(demo_settings, store_a, store_b, tmp_path):
    Site.objects.create(store=store_b, ssid="SS-007", watch_dir=str(tmp_path / "rival"))

    assert demo.load(store_a, days=2) == 0
    assert Site.objects.get().store == store_b
    assert not PersonEvent.objects.exists()


def test_the_watcher_watches_the_demo_site(demo_settings, store_a):
    demo.load(store_a, days=1)
    watcher = Watcher(polling=True)
    try:
        watcher.start()
        assert [site.ssid for site in watcher.sites.values()] == ["SS-007"]
        assert set(watcher.watched) == {Site.objects.get().pk}
    finally:
        watcher.stop()


def test_the_export_reaches_the_demo_api_over_http_and_the_page_shows_it(
    demo_settings, store_a, viewer_a, client, live_server
):
    demo_settings.VISITORSFLOW_DEMO_EXPORT_URL = live_server.url + API_PATH
    demo.load(store_a, days=7)
    site = Site.objects.get()

    outcome = export.export_site(site)  # what the beat's five-minute task runs

    attempt = outcome.attempt
    assert (attempt.status, attempt.http_status, attempt.error) == ("sent", 200, "")
    assert json.loads(attempt.response) == {"result": "ok", "received": 3}
    [received] = [json.loads(line) for line in demo_settings.VISITORSFLOW_DEMO_API_LOG.read_text().splitlines()]
    assert received["rows"] == attempt.payload

    client.force_login(viewer_a)
    client.cookies["django_language"] = "zh-hant"
    page = client.get(f"/dashboard/stores/{store_a.pk}/visitorsflow/")
    assert page.status_code == 200
    [activity] = page.context["activity"]
    assert activity["sent"] == 1 and activity["exports"][0]["values"] == {
        row["TagType"]: row["TagValue"] for row in attempt.payload
    }
    assert len(activity["daily"]) == 7
    assert activity["file_counts"]["partial"] == 1
    body = page.content.decode()
    assert 'id="vf-SS-007"' in body
    latest = IngestedFile.objects.filter(site=site).first()
    assert latest.name in body
    assert f">{attempt.payload[1]['TagValue']}<" in body


def test_the_demo_api_refuses_what_the_official_api_would(demo_settings, live_server):
    url = live_server.url + API_PATH
    good = [
        {
            "SSID": "SS-007",
            "TagType": t,
            "TagID": i,
            "TagValue": "1",
            "StartTime": "20240501000000",
            "EndTime": "20240501102825",
        }
        for t, i in (("Count", "901"), ("CountAccuIn", "902"), ("CountAccuOut", "903"))
    ]
    cases = [
        (b"not json", "body: not JSON"),
        (b"{}", "body: must be a non-empty JSON array"),
        (json.dumps([{**good[0], "TagValue": 1}]).encode(), "[0]: every value must be a string"),
        (json.dumps([{**good[0], "TagType": "Other"}]).encode(), "[0].TagType: must be one of"),
        (json.dumps([{**good[0], "StartTime": "2024"}]).encode(), "[0].StartTime: must be YYYYMMDDHHMMSS"),
        (json.dumps([{"SSID": "x"}]).encode(), "[0]: must be an object with exactly"),
    ]
    for body, error in cases:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert response.status_code == 400, body
        assert response.json()["error"].startswith(error)
    assert requests.get(url, timeout=10).status_code == 405
    assert requests.post(url, data=json.dumps(good), timeout=10).status_code == 200
    assert demo_settings.VISITORSFLOW_DEMO_API_LOG.read_text().count("\n") == 1  # only the good one

    demo_settings.VISITORSFLOW_DEMO_API = False  # production and the test settings: not served
    assert requests.post(url, data=json.dumps(good), timeout=10).status_code == 404


def test_a_demo_site_never_alerts_silence_while_the_demo_idles(demo_settings, store_a):
    demo.load(store_a, days=1)
    site = Site.objects.get()
    assert site.silence_minutes == 60
    assert ExportAttempt.objects.count() == 0
    assert site.last_data_at > timezone.now() - timedelta(minutes=1)


def test_the_demo_command_gives_the_first_demo_store_the_site(demo_settings):
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", "--days", "1", stdout=StringIO())

    site = Site.objects.get()
    assert site.store.code == "boyner-avm-istanbul"  # the first demo store; Ankara has none
    assert PersonEvent.objects.filter(site=site).exists()
