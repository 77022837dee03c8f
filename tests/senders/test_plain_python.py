"""Issue 18: the seed's scripts on a plain store PC (Python 3.8+, nothing installed), as processes.

Each interpreter this machine has (see ``pythons.py``) runs the real scripts with the seed's
flags against the live server, with ``requests``, ``cv2`` and ``tomli`` made unimportable: the
run either succeeds or prints one line naming the fix and exits 3, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import Camera, Store, StoreHeartbeat
from tests.factories import PASSWORD

from .pythons import blocker_dir, oldest_supported, plain_env, supported, too_old

REPO = Path(__file__).resolve().parents[2]
LEGACY = REPO / "senders" / "legacy"
SUPPORTED = [pytest.param(exe, id=label) for label, exe in supported()]
TOO_OLD = [pytest.param(exe, id=label) for label, exe in too_old()]


@pytest.fixture
def blockers(tmp_path) -> Path:
    return blocker_dir(tmp_path / "blocked")


def run(python: str, *args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def assert_no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("python", SUPPORTED)
def test_requests_and_opencv_really_are_missing(python, blockers, tmp_path):
    # The premise of every test below: this interpreter cannot import them.
    probe = "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is not None for m in ('requests', 'cv2')))"
    env = plain_env(tmp_path, blockers)
    done = run(python, "-c", "import requests", cwd=tmp_path, env=env)
    assert done.returncode == 1 and "No module named 'requests'" in done.stderr
    done = run(python, "-c", "import cv2", cwd=tmp_path, env=env)
    assert done.returncode == 1 and "No module named 'cv2'" in done.stderr
    assert probe  # (find_spec sees the blocker files; the imports above are what a script does)


@pytest.mark.parametrize("python", SUPPORTED)
def test_seed_scripts_from_a_checkout(python, live_server, sender_a, store_a, payloads, spool_dir, blockers):
    # `cd data_sender && python .../senders/legacy/data_sender.py -j payload.json -u boyner -p ...`
    env = plain_env(spool_dir, blockers)
    flags = ["-U", live_server.url, "-u", "boyner", "-p", PASSWORD]
    for script, payload, line in [
        ("data_sender.py", "payload.json", "customers: sent 1 record (201 created)"),
        ("data_sender_age_gender.py", "payload_age_gender.json", "age-gender: sent 1 record"),
        ("data_sender_heatmap.py", "payload_heatmap.json", "heatmap: sent 1 record (201 created)"),
        ("data_sender_queue.py", "payload_queue.json", "queue: sent 1 record (201 created)"),
    ]:
        done = run(python, str(LEGACY / script), "-j", payload, *flags, cwd=payloads, env=env)
        assert_no_traceback(done)
        assert done.returncode == 0, (script, done.stderr)
        assert line in done.stdout, done.stdout
    beat = run(python, str(LEGACY / "heartbeat_sender.py"), "--once", *flags, cwd=payloads, env=env)
    assert beat.returncode == 0, beat.stderr
    assert StoreHeartbeat.objects.get(store=store_a).count == 1
    # payload.json is camera kapi-1's; payload_age_gender.json names no camera (the store's own row)
    assert sorted(HourlyCustomers.objects.filter(store=store_a).values_list("camera_id", "entered")) == [
        ("", 15),
        ("kapi-1", 10),
    ]
    assert HourlyQueue.objects.get(store=store_a).total_customers == 14
    assert HourlyZoneHeatmap.objects.filter(zone__store=store_a).count() == 1


@pytest.mark.parametrize("python", SUPPORTED)
def test_setup_without_opencv_exits_0(python, live_server, sender_a, store_a, payloads, spool_dir, blockers):
    # Issue 18 item 2: `data_sender_setup.py -j payload_setup.json` (the seed's command, the seed's
    # payload with this test's password) on a PC without OpenCV.
    setup = json.loads((payloads / "payload_setup.json").read_text("utf-8"))
    setup["password"] = PASSWORD
    (payloads / "payload_setup.json").write_text(json.dumps(setup, ensure_ascii=False), "utf-8")
    env = plain_env(spool_dir, blockers, VISLIVIS_URL=live_server.url)
    script = str(LEGACY / "data_sender_setup.py")
    done = run(python, script, "-j", "payload_setup.json", cwd=payloads, env=env)
    assert_no_traceback(done)
    assert done.returncode == 0, done.stderr
    assert "setup: sent 3 cameras (201 created)" in done.stdout
    assert done.stderr.splitlines() == [
        "warning: setup: 3 cameras sent without a snapshot: OpenCV is not installed (pip install opencv-python); "
        "--no-snapshots skips them, --snapshots makes this an error"
    ]
    assert Camera.objects.filter(store=store_a).count() == 3
    assert Store.objects.get(pk=store_a.pk).site_name == "Boyner Magazcılık AŞ - AVM İstanbul"

    # Asked for explicitly, a snapshot that cannot be taken is the one warning that fails.
    demanded = run(python, script, "-j", "payload_setup.json", "--snapshots", cwd=payloads, env=env)
    assert demanded.returncode == 6, demanded.stderr
    assert "setup: sent 3 cameras (200 updated)" in demanded.stdout
    assert demanded.stderr.startswith("error: setup: 3 cameras sent without a snapshot: OpenCV is not installed")

    quiet = run(python, script, "-j", "payload_setup.json", "--no-snapshots", cwd=payloads, env=env)
    assert (quiet.returncode, quiet.stderr) == (0, "")


@pytest.mark.parametrize("python", SUPPORTED)
def test_scripts_without_the_client_say_how_to_get_it(python, tmp_path, spool_dir, blockers):
    # Only the script copied to a folder: no package, no .pyz next to it, no checkout above it.
    folder = tmp_path / "a" / "b" / "data_sender"
    folder.mkdir(parents=True)
    for name in ("data_sender.py", "data_sender_setup.py", "heartbeat_sender.py"):
        shutil.copy(LEGACY / name, folder / name)
        done = run(python, name, "-j", "payload.json", cwd=folder, env=plain_env(spool_dir, blockers))
        assert done.returncode == 3, done.stderr
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("error: the VISLIVIS sender client is not installed: ")
        assert "/downloads/vislivis-sender.pyz" in done.stderr and "pip install ./senders" in done.stderr


@pytest.mark.parametrize("python", TOO_OLD)
def test_too_old_python_is_one_line(python, payloads, spool_dir, blockers):
    done = run(
        python, str(LEGACY / "data_sender.py"), "-j", "payload.json", cwd=payloads, env=plain_env(spool_dir, blockers)
    )
    assert done.returncode == 3
    assert done.stderr.startswith("error: the VISLIVIS sender needs Python 3.8 or newer (this is 3.")
    assert len(done.stderr.splitlines()) == 1


def test_the_panel_serves_the_client_as_one_file(client, db):
    response = client.get("/downloads/vislivis-sender.pyz")  # anonymous: a store PC has no session
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="vislivis-sender.pyz"'
    assert response.content.startswith(b"#!/usr/bin/env python3\n")
    again = client.get("/downloads/vislivis-sender.pyz", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.post("/downloads/vislivis-sender.pyz").status_code == 405


def test_store_installed_from_the_panel_download(
    client, live_server, sender_a, store_a, payloads, spool_dir, blockers, tmp_path
):
    # The installer at the store: download the .pyz from the panel, `install` the seed's script
    # names, run the seed's command lines and the hourly command with a TOML config, all on the
    # oldest Python here with nothing installed.
    python = oldest_supported()
    archive = tmp_path / "vislivis-sender.pyz"
    archive.write_bytes(client.get("/downloads/vislivis-sender.pyz").content)
    env = plain_env(spool_dir, blockers)
    folder = tmp_path / "opt" / "vislivis" / "data_sender"
    done = run(python, str(archive), "install", str(folder), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "data_sender.py",
        "data_sender_age_gender.py",
        "data_sender_heatmap.py",
        "data_sender_queue.py",
        "data_sender_sales.py",
        "data_sender_setup.py",
        "heartbeat_sender.py",
        "vislivis-sender.pyz",
    ]
    archive.unlink()  # the folder must be self-contained
    shutil.copy(payloads / "payload.json", folder / "payload.json")
    flags = ["-U", live_server.url, "-u", "boyner", "-p", PASSWORD]
    sent = run(python, "data_sender.py", "-j", "payload.json", *flags, cwd=folder, env=env)
    assert sent.returncode == 0, sent.stderr
    assert "customers: sent 1 record (201 created)" in sent.stdout
    assert HourlyCustomers.objects.get(store=store_a).entered == 10

    # `hourly --config store.toml`: the documented config file, read without tomllib on < 3.11.
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n", "utf-8")
    example = (REPO / "senders" / "examples" / "store.toml").read_text("utf-8")
    config = folder / "store.toml"
    config.write_text(
        example.replace('"http://127.0.0.1:5000"', json.dumps(live_server.url))
        .replace('"/etc/vislivis/password"', json.dumps(str(password)))
        .replace('"/var/lib/store-ai/hour.json"', json.dumps(str(payloads / "hour.json"))),
        "utf-8",
    )
    config.chmod(0o600)
    hourly = run(python, "vislivis-sender.pyz", "hourly", "--config", "store.toml", cwd=folder, env=env)
    assert hourly.returncode == 0, hourly.stderr
    assert hourly.stderr == ""
    assert "hourly: 2026-02-16T14:00 UTC: customers 1, heatmaps 3, queues 3" in hourly.stdout
    assert HourlyZoneHeatmap.objects.filter(zone__store=store_a).count() == 3
    assert HourlyQueue.objects.filter(store=store_a).count() == 3

    version = run(python, "vislivis-sender.pyz", "--version", cwd=folder, env=env)
    assert version.stdout.startswith("vislivis-senders ")
