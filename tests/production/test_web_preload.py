"""The web role as the entrypoint starts it: ``--preload``, so a worker is a fork of a master
that has loaded Django. Workers recycled by ``--max-requests`` must come back at once and talk to
the database on their own connections (the master holds none to share)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.production.services import closed_port
from tests.production.test_process_logs import production_env
from tests.services import database_url, redis_url

ROOT = Path(__file__).resolve().parents[2]


def readyz(port: int) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_recycled_preloaded_workers_answer_with_their_own_database_connections(tmp_path, transactional_db):
    port = closed_port()  # free: bound, then released
    env = {
        **production_env(tmp_path, broker=redis_url()),
        # The test database (readyz runs SELECT 1 on it), as the suite's server names it.
        "DATABASE_URL": database_url(),
        "BIND": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "2",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        # The entrypoint's own command; a later --max-requests overrides its 5000 (argparse: last wins).
        server = subprocess.Popen(
            ["sh", "docker/entrypoint.sh", "web", "--max-requests", "3", "--max-requests-jitter", "0"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            try:
                readyz(port)
                break
            except OSError:
                time.sleep(0.2)
        answers = [readyz(port) for _ in range(20)]
        assert all(body["checks"]["database"] == "ok" for _, body in answers), answers
        assert {status for status, _ in answers} <= {200}, answers
        text = log.read_text()
        assert text.count("Booting worker") >= 2 + 5, text  # 20 requests, 3 per worker life
        assert "Traceback" not in text and '"level": "ERROR"' not in text, text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
