"""The seed's own command lines, run as real processes: `cd DIR && python data_sender.py -j payload.json`."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

from analytics.models import HourlyCustomers, HourlyQueue
from senders.legacy.install import install
from stores.models import StoreHeartbeat
from tests.factories import PASSWORD

REPO = Path(__file__).resolve().parents[2]


def script_env(spool_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISLIVIS_") and k != "PYTHONPATH"}
    env.update({"VISLIVIS_SPOOL_DIR": str(spool_dir), **extra})
    return env


def test_data_sender_from_a_checkout(live_server, sender_a, store_a, payloads, spool_dir):
    # `cd data_sender && python .../senders/legacy/data_sender.py -j payload.json -u boyner -p ...`
    script = REPO / "senders" / "legacy" / "data_sender.py"
    done = subprocess.run(
        [sys.executable, str(script), "-j", "payload.json", "--url", live_server.url, "-u", "boyner", "-p", PASSWORD],
        cwd=payloads,
        env=script_env(spool_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "customers: sent 1 record (201 created)" in done.stdout
    assert HourlyCustomers.objects.get(store=store_a).entered == 10


def test_installed_copies_with_the_seed_flags(live_server, sender_a, store_a, payloads, spool_dir, tmp_path):
    # After `pip install ./senders` and `python -m senders.legacy.install /opt/vislivis/data_sender`
    # (PYTHONPATH stands in for the installed package here).
    folder = tmp_path / "opt-data_sender"
    names = sorted(p.name for p in install(folder))
    assert names == [
        "data_sender.py",
        "data_sender_age_gender.py",
        "data_sender_heatmap.py",
        "data_sender_queue.py",
        "data_sender_sales.py",
        "data_sender_setup.py",
        "heartbeat_sender.py",
    ]
    (folder / "payload_queue.json").write_text((payloads / "payload_queue.json").read_text("utf-8"), "utf-8")
    env = script_env(spool_dir, PYTHONPATH=str(REPO))
    queue = subprocess.run(
        [sys.executable, "data_sender_queue.py", "-j", "payload_queue.json", "-U", live_server.url, "-p", PASSWORD],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert queue.returncode == 0, queue.stderr
    assert HourlyQueue.objects.get(store=store_a).total_customers == 14

    # `python heartbeat_sender.py -u boyner -p boyner --interval 5`: a loop; stop it after its first ping.
    beat = subprocess.Popen(  # noqa: S603
        [sys.executable, "heartbeat_sender.py", "-u", "boyner", "-p", PASSWORD, "--interval", "5"],
        cwd=folder,
        env={**env, "VISLIVIS_URL": live_server.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(beat, deadline=time.monotonic() + 60)
    finally:
        beat.terminate()
        beat.wait(timeout=30)
    assert line.startswith("heartbeat: ok at "), line
    assert StoreHeartbeat.objects.get(store=store_a).count == 1


def _first_line(process: subprocess.Popen, deadline: float) -> str:
    """The loop's first stdout line (it prints as soon as the first ping was answered)."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=1):
                return process.stdout.readline().strip()
            if process.poll() is not None:
                return "exited: " + process.stderr.read()
    return "no output"
