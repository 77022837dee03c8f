"""``manage.py visitorsflow add-site | scan``: the new-user path of SPEC §6."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.models import PersonEvent, Site

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command("visitorsflow", *args, stdout=out)
    return json.loads(out.getvalue())


def test_add_site_creates_folders_and_prints_json(store_a, tmp_path):
    folder = tmp_path / "flow" / "ss007"

    printed = run(
        "add-site",
        "--store-id",
        str(store_a.pk),
        "--ssid",
        "SS-007",
        "--watch-dir",
        str(folder),
        "--export-url",
        "https://api.example.test/flow",
        "--silence-minutes",
        "3",
        "--telegram",
        "@ops",
        "--telegram",
        "-100123",
    )

    site = Site.objects.get()
    assert printed == {
        "id": site.pk,
        "ssid": "SS-007",
        "store_id": store_a.pk,
        "store": "boyner-avm",
        "watch_dir": str(folder),
        "export_url": "https://api.example.test/flow",
        "tags": {"Count": 901, "CountAccuIn": 902, "CountAccuOut": 903},
        "silence_minutes": 3,
        "telegram_recipients": ["@ops", "-100123"],
        "language": "zh-hant",
        "enabled": True,
        "created": True,
    }
    assert (folder / "processed").is_dir() and (folder / "failed").is_dir()


def test_add_site_twice_updates_and_keeps_recipients(store_a, tmp_path):
    args = ["add-site", "--store-id", str(store_a.pk), "--ssid", "SS-007", "--watch-dir", str(tmp_path)]
    run(*args, "--telegram", "@ops")

    printed = run(*args, "--silence-minutes", "2", "--language", "en")

    assert (printed["created"], printed["silence_minutes"], printed["language"]) == (False, 2, "en")
    assert printed["telegram_recipients"] == ["@ops"]
    assert Site.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--store-id", "999999"], "--store-id: no store with id 999999"),
        (["--export-url", "ftp://8.8.8.8/y"], "--export-url: Refused: only http://, https:// URLs are allowed."),
        (["--export-url", "http://localhost:8000/flow"], "--export-url: Refused: 127.0.0.1 is a loopback address"),
        (["--export-url", "http://169.254.169.254/x"], "--export-url: Refused: 169.254.169.254 is a link-local"),
        (["--silence-minutes", "0"], "--silence-minutes: must be at least 1"),
        (["--ssid", " "], "--ssid: must be 1 to 64 characters"),
    ],
)
def test_add_site_rejects_bad_options(store_a, tmp_path, settings, extra, message):
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # the production default: nothing internal
    args = {"--store-id": str(store_a.pk), "--ssid": "SS-007", "--watch-dir": str(tmp_path)}
    args.update(dict(zip(extra[::2], extra[1::2], strict=True)))

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("visitorsflow", "add-site", *[x for pair in args.items() for x in pair])
    assert Site.objects.count() == 0


def test_ssid_of_another_tenants_store_is_refused(store_a, store_b, tmp_path):
    Site.objects.create(store=store_b, ssid="SS-007", watch_dir=str(tmp_path))

    with pytest.raises(CommandError, match="--ssid: SS-007 already belongs to another store"):
        call_command(
            "visitorsflow", "add-site", "--store-id", str(store_a.pk), "--ssid", "SS-007", "--watch-dir", str(tmp_path)
        )
    assert Site.objects.get().store == store_b


def test_scan_prints_ingested_moved_and_rejected(site, watch_dir):
    write_events(watch_dir, "20240501102825.json", [event(1, 0, "20240501101825", 5), event(1, 2, "20240501101830", 9)])
    (watch_dir / "20240501103000.json").write_text("[{")

    printed = run("scan", "--site", "SS-007")

    assert printed == {
        "site": "SS-007",
        "ingested": [
            {
                "file": "20240501102825.json",
                "events": 2,
                "new_events": 2,
                "moved_to": str(watch_dir / "processed" / "20240501102825.json"),
            }
        ],
        "rejected": [
            {
                "file": "20240501103000.json",
                "reason": "malformed JSON: Expecting property name enclosed in double quotes at line 1 column 3",
                "moved_to": str(watch_dir / "failed" / "20240501103000.json"),
            }
        ],
        "pending": [],
        "retry": [],
    }
    assert PersonEvent.objects.count() == 2


def test_scan_waits_once_for_a_file_still_settling(site, watch_dir, settings):
    settings.VISITORSFLOW_SETTLE_SECONDS = 0.3
    write_events(watch_dir, "fresh.json", [])

    printed = run("scan", "--site", "SS-007")

    assert [r["file"] for r in printed["ingested"]] == ["fresh.json"] and printed["pending"] == []


def test_scan_unknown_site(db):
    with pytest.raises(CommandError, match="--site: no VisitorsFlow site 'SS-404'"):
        call_command("visitorsflow", "scan", "--site", "SS-404")


def test_scan_missing_folder_fails_with_reason(site, watch_dir):
    watch_dir.rmdir()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("visitorsflow", "scan", "--site", "SS-007", stdout=StringIO())


def test_subcommand_is_required(db):
    with pytest.raises(CommandError):
        call_command("visitorsflow")


def test_dry_run_without_events_prints_nothing(site):
    out, err = StringIO(), StringIO()
    call_command("visitorsflow", "export", "--site", "SS-007", "--dry-run", stdout=out, stderr=err)
    assert out.getvalue() == "" and err.getvalue() == "SS-007: no events today, nothing would be sent\n"


def test_failed_cli_export_exits_with_error(site, closed_port_url):
    from visitorsflow.models import ExportAttempt

    PersonEvent.objects.create(site=site, person_id=1, in_out=0, time=site.created_at, frame_number=1)
    Site.objects.filter(pk=site.pk).update(export_url=closed_port_url)
    with pytest.raises(CommandError, match="export failed: ConnectionError"):
        call_command("visitorsflow", "export", "--site", "SS-007", stdout=StringIO())
    assert ExportAttempt.objects.get().status == "failed"


def test_cli_export_refuses_to_overlap_a_running_export(site, api_server):
    from visitorsflow.export import claim_lock
    from visitorsflow.models import ExportAttempt

    PersonEvent.objects.create(site=site, person_id=1, in_out=0, time=site.created_at, frame_number=1)
    Site.objects.filter(pk=site.pk).update(export_url=api_server.url)
    assert claim_lock(site, seconds=60)

    with pytest.raises(CommandError, match="another export of SS-007 is running"):
        call_command("visitorsflow", "export", "--site", "SS-007", stdout=StringIO())
    assert api_server.requests == [] and ExportAttempt.objects.count() == 0
