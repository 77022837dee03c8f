"""The production processes log one JSON object per line, tracebacks included (issue 15).

Each test starts the real command in a fresh interpreter with production settings (against the
machine's Redis where the process needs one) and reads what it wrote: every line must parse as
JSON, and a traceback must be one line with an ``exc_info`` field.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.services import redis_url
from vislivis.beat import LOCK_KEY
from vislivis.logging import WebSocketAccessLog

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def production_env(tmp_path: Path, broker: str = "redis://127.0.0.1:1/0") -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ["DATABASE_URL"],  # the suite's server; these processes write nothing
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line[:300]!r}\n--- whole output ---\n{text[-3000:]}")
    return parsed


def test_an_uncaught_exception_is_one_json_line_with_its_traceback(tmp_path):
    code = "import django; django.setup(); raise RuntimeError('boom from the test')"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 1
    records = json_lines(result.stdout + result.stderr)
    assert len(records) == 1, records
    assert records[0]["level"] == "CRITICAL" and records[0]["logger"] == "vislivis.uncaught"
    assert "Traceback" in records[0]["exc_info"] and "RuntimeError: boom from the test" in records[0]["exc_info"]


@pytest.mark.services
def test_a_beat_crash_is_a_few_json_lines_not_one_per_write(tmp_path):
    """The issue's case: beat cannot write its schedule file (read-only folder)."""
    # The next Redis database: the SIGTERM test below may hold the lock in the first at the same time.
    base, _, db = redis_url().rpartition("/")
    url = f"{base}/{(int(db or 0) + 1) % 16}"
    client = redis.Redis.from_url(url)
    client.delete(LOCK_KEY, LOCK_KEY + ":owner")
    unwritable = tmp_path / "ro"
    unwritable.mkdir()
    unwritable.chmod(0o500)
    result = subprocess.run(
        [str(BIN / "celery"), "-A", "vislivis", "--quiet", "beat", "--schedule", str(unwritable / "sub" / "s")],
        cwd=ROOT,
        env=production_env(tmp_path, url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    client.delete(LOCK_KEY, LOCK_KEY + ":owner")
    assert result.returncode != 0
    records = json_lines(result.stdout + result.stderr)
    assert len(records) < 10, [r["message"] for r in records]
    tracebacks = [r for r in records if "Traceback" in str(r.get("exc_info", ""))]
    assert tracebacks and any("No such file or directory" in r["exc_info"] for r in tracebacks)


@pytest.mark.services
def test_a_beat_waiting_for_the_lock_exits_0_on_sigterm(tmp_path):
    url = redis_url()
    client = redis.Redis.from_url(url)
    holder = client.lock(LOCK_KEY, timeout=120)
    assert holder.acquire(blocking=False), "another beat holds the test Redis's lock"
    client.set(LOCK_KEY + ":owner", "the-test:1", ex=120)
    log = tmp_path / "beat.log"
    try:
        with log.open("wb") as out:
            beat = subprocess.Popen(
                [str(BIN / "celery"), "-A", "vislivis", "--quiet", "beat", "--schedule", str(tmp_path / "s")],
                cwd=ROOT,
                env=production_env(tmp_path, url),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while "waiting to take over" not in log.read_text() and time.monotonic() < deadline:
            assert beat.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "waiting to take over" in log.read_text()
        started = time.monotonic()
        beat.send_signal(signal.SIGTERM)
        assert beat.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        if beat.poll() is None:
            beat.kill()
        holder.release()
        client.delete(LOCK_KEY + ":owner")
    messages = [r["message"] for r in json_lines(log.read_text())]
    assert any("stopped by signal" in m for m in messages), messages
    assert client.get(LOCK_KEY) is None  # it never took the lock


def test_gunicorn_writes_its_own_lines_as_json_and_stops_cleanly(tmp_path):
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config",
                "docker/gunicorn.conf.py",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "1",
                "vislivis.wsgi:application",
            ],  # fmt: skip
            cwd=ROOT,
            env=production_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Booting worker" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(1)  # the worker loads the application
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    records = json_lines(log.read_text())
    loggers = {r["logger"] for r in records}
    assert "gunicorn.error" in loggers
    assert not any("Control server error" in r["message"] for r in records)


def test_websocket_events_are_access_records_and_http_is_left_to_the_app(caplog):
    access = WebSocketAccessLog(sys.stdout)
    with caplog.at_level(logging.INFO, logger="vislivis.websocket"):
        access("websocket", "connected", {"path": "/ws/stores/3/", "client": ["10.0.0.9", 5123]})
        access("websocket", "rejected", {"path": "/ws/stores/4/", "client": ["10.0.0.9", 5124]})
        access("http", "complete", {"path": "/api/x", "status": 200, "method": "GET", "client": None, "size": 1})
    assert [(r.getMessage(), r.event) for r in caplog.records] == [
        ("WSCONNECT /ws/stores/3/", "websocket.connected"),
        ("WSREJECT /ws/stores/4/", "websocket.rejected"),
    ]
    assert caplog.records[0].peer == ["10.0.0.9", 5123]
