"""``make prod-smoke``: the production profile end to end, without a Docker engine.

Runs exactly the roles ``docker/compose.yaml`` runs (each app service's ``command`` through
``docker/entrypoint.sh``: migrate, web = gunicorn sync workers, ws = daphne, worker, beat,
watcher, applier) with ``vislivis.settings.production`` against the machine's PostgreSQL (own database
``vislivis_smoke``), Redis (databases 14 and 15) and Mosquitto, then checks that real work
flows through them:

- ``/readyz`` on web and ``/healthz`` on ws;
- a sender heartbeat and customers payload through gunicorn, and one heartbeat through daphne;
- a camera XML document on the store's ingest URL, kept by web and applied by the applier
  within seconds (footfall and the device readable); the applier stops cleanly on SIGTERM, a
  push while none runs is kept (``/readyz`` counts it pending) and a new applier applies it;
- a capture request, run by the Celery worker against the rig and camera simulators;
- a VisitorsFlow file picked up by the watcher, and an export sent by the worker to a local
  stand-in for the official API;
- beat holds the single-beat lock, and a second beat waits instead of sending.

HTTPS: the production settings keep ``SECURE_SSL_REDIRECT`` on; like the proxy in front of
the real deployment, every request carries ``X-Forwarded-Proto: https``. Everything started is
stopped at the end, also on failure (process groups). Exit code 0 means every check passed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
PY = str(ROOT / ".venv" / "bin" / "python")
COMPOSE = ROOT / "docker" / "compose.yaml"
APP_ROLES = ("migrate", "web", "ws", "worker", "beat", "watcher", "applier")
WEB_PORT, WS_PORT, CAMERA_PORT, EXPORT_PORT = 5106, 5107, 5108, 5109
DB_NAME = os.environ.get("SMOKE_DB_NAME", "vislivis_smoke")
PG_ADMIN_URL = os.environ.get("SMOKE_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379")
MQTT_URL = os.environ.get("SMOKE_MQTT_URL", "mqtt://127.0.0.1:1883")
HTTPS = {"X-Forwarded-Proto": "https"}
SENDER, PASSWORD = "smoke-sender", "smoke-" + secrets.token_hex(8)
RIG, RGB_CAMERA = "smoke_pantilt", "cameradevice_rgb_1"
METRICS_XML = (ROOT / "tests" / "devices" / "samples" / "metrics.xml").read_bytes()
# The applier applies within the bench's p99 of 2 s; the smoke allows for a loaded CI machine.
APPLY_WITHIN_SECONDS = 10.0


def fresh_metrics(minutes_ago: int, enters: int) -> bytes:
    """The sample Metrics document moved to a recent minute (the sample's 2022 counts are older
    than the minute-count retention, which the applier does not apply) with ``enters`` people
    in: a minute the smoke can find on today's footfall. The sample's camera is at UTC+8."""
    start = (int(time.time()) // 60 - minutes_ago) * 60
    local = datetime.fromtimestamp(start, ZoneInfo("Asia/Shanghai"))  # the sample's <Timezone>8</Timezone>
    replacements = {
        'Date="2022-11-07"': f'Date="{local:%Y-%m-%d}"',
        'StartTime="15:27:00"': f'StartTime="{local:%H:%M:00}"',
        'EndTime="15:28:00"': f'EndTime="{local + timedelta(minutes=1):%H:%M:00}"',
        'UnixStartTime="1667806020"': f'UnixStartTime="{start}"',
        "<TransmitTime>1667806920</TransmitTime>": f"<TransmitTime>{int(time.time())}</TransmitTime>",
    }
    text = METRICS_XML.decode()
    for old, new in replacements.items():
        if old not in text:
            raise SmokeFailure(f"tests/devices/samples/metrics.xml no longer has {old!r}")
        text = text.replace(old, new)
    first_enters = 'Enters="2" Exits="1"'  # object type 0 (people) comes first
    if first_enters not in text:
        raise SmokeFailure("tests/devices/samples/metrics.xml no longer has the people count Enters=2")
    return text.replace(first_enters, f'Enters="{enters}" Exits="1"', 1).encode()


def footfall_enters(base: str, store_id: int, auth: dict) -> int:
    """People in (object type 0) on the store's footfall around today, every device."""
    today = datetime.now(UTC).date()
    query = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}&granularity=day"
    status, _, raw = http("GET", f"{base}/api/stores/{store_id}/footfall?{query}", headers=auth)
    if status != 200:  # ValueError: both smokes' wait_until and main report it
        raise ValueError(f"footfall read: {status} {raw[:300]!r}")
    return sum(row["enters"] for row in json.loads(raw)["results"])


def log(message: str) -> None:
    print(f"[prod-smoke] {message}", flush=True)


class SmokeFailure(Exception):
    """A check did not pass; the message says which."""


PASSED: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    PASSED.append(message)
    log(f"ok: {message}")


def compose_roles() -> dict[str, str]:
    """``{service: role}`` for every app service of the compose file (those using the app image)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    roles = {}
    for name, service in services.items():
        if "vislivis" in str(service.get("image", "")):
            roles[name] = service["command"][0]
    return roles


def smoke_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "vislivis.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{DB_NAME}",
            "REDIS_URL": f"{REDIS_BASE}/14",
            "CELERY_BROKER_URL": f"{REDIS_BASE}/15",
            "MQTT_URL": MQTT_URL,
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "BIND": "127.0.0.1",
            "WEB_WORKERS": "2",
            "WORKER_CONCURRENCY": "2",
            "BEAT_SCHEDULE_FILE": str(tmp / "celerybeat-schedule"),
            "VISITORSFLOW_WATCH_POLLING": "true",
            "VISITORSFLOW_SETTLE_SECONDS": "0.5",
            # The smoke's export receiver, rig and cameras listen on loopback (refused by default).
            "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
            "VISITORSFLOW_ROOT": str(tmp / "visitorsflow"),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a deployment must not set it (async.E001)
    return env


class Processes:
    """Started processes, each in its own process group so its children stop with it."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env, self.running = tmp, env, {}
        self.stopped: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], **extra_env: str) -> subprocess.Popen:
        logfile = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        log(f"started {name} (pid {process.pid}): {' '.join(args)}")
        return process

    def role(self, role: str, **extra_env: str) -> subprocess.Popen:
        return self.start(role, ["/bin/sh", str(ENTRYPOINT), role], **extra_env)

    def stop(self, name: str, timeout: float = 15) -> tuple[int | None, float]:
        """SIGTERM to ``name``'s process group: its exit code (``None``: ignored it for ``timeout``
        seconds, then killed) and the seconds it took. It is no longer watched afterwards."""
        process = self.running.pop(name)
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
        self.stopped[name] = process
        return code, time.monotonic() - started

    def assert_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise SmokeFailure(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.tmp / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop_all(self) -> None:
        for process in reversed(list(self.running.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in self.running.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} ignored SIGTERM; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log(f"stopped {len(self.running) + len(self.stopped)} processes")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


OPENER = urllib.request.build_opener(_NoRedirect)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers={**HTTPS, **(headers or {})})  # noqa: S310
    try:
        with OPENER.open(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def post_json(url: str, payload, auth: dict | None = None) -> tuple[int, dict]:
    status, _, body = http(
        "POST", url, json.dumps(payload).encode(), {"Content-Type": "application/json", **(auth or {})}
    )
    return status, (json.loads(body) if body else {})


def wait_until(what: str, predicate, timeout: float, processes: Processes | None = None):
    deadline = time.monotonic() + timeout
    while True:
        if processes is not None:
            processes.assert_alive()
        try:
            value = predicate()
        except (OSError, urllib.error.URLError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.3)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def reset_services(env: dict[str, str]) -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    for url in (env["REDIS_URL"], env["CELERY_BROKER_URL"]):
        redis.Redis.from_url(url).flushdb()
    log(f"fresh database {DB_NAME}, Redis databases 14 and 15 flushed")


class ExportReceiver(BaseHTTPRequestHandler):
    """Stands in for the official VisitorsFlow API: records each POSTed body."""

    received: list[object] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        ExportReceiver.received.append(json.loads(self.rfile.read(length) or b"null"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        return


def run(tmp: Path, processes: Processes) -> None:
    env = processes.env
    roles = compose_roles()
    check(sorted(set(roles.values())) == sorted(APP_ROLES), f"compose app services run the roles {sorted(APP_ROLES)}")
    reset_services(env)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    # --- migrate (one-shot, includes check --deploy), then the long-running roles ---
    migrate = subprocess.run(["/bin/sh", str(ENTRYPOINT), "migrate"], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    check(migrate.returncode == 0, f"migrate role (migrate + check --deploy) exited 0 {migrate.stderr[-2000:]}")
    processes.role("web", PORT=str(WEB_PORT))
    processes.role("ws", PORT=str(WS_PORT))
    processes.role("worker")
    processes.role("beat")
    processes.role("watcher")
    processes.role("applier")
    web, ws = f"http://127.0.0.1:{WEB_PORT}", f"http://127.0.0.1:{WS_PORT}"

    try:
        status, _, body = wait_until(
            "web /readyz", lambda: (r := http("GET", f"{web}/readyz")) and r[0] == 200 and r, 60, processes
        )
    except SmokeFailure as timeout:
        last = http("GET", f"{web}/readyz")  # says which dependency is down
        raise SmokeFailure(f"{timeout}; last answer {last[0]} {last[2][:300]!r}") from None
    ready = json.loads(body)
    check(ready["checks"] == {"database": "ok", "redis": "ok", "broker": "ok", "mqtt": "ok"}, f"/readyz {ready}")
    check(ready["pending_documents"] == 0 and ready["apply_lag_seconds"] == 0, f"/readyz: nothing pending {ready}")
    wait_until("ws /healthz", lambda: http("GET", f"{ws}/healthz")[0] == 200, 60, processes)
    check(True, "daphne (ws role) answers /healthz")
    status, headers, _ = http("GET", f"{web}/api/stores/", headers={"X-Forwarded-Proto": "http"})
    check(status == 301 and headers["Location"].startswith("https://"), "plain HTTP is redirected to HTTPS")

    # --- tenant, store, sender account ---
    provisioned = json.loads(
        manage(
            env,
            "provision",
            "--tenant",
            "Smoke Brand",
            "--store",
            "Smoke Store",
            "--store-code",
            "smoke-1",
            "--username",
            SENDER,
            "--password",
            PASSWORD,
        )  # fmt: skip
    )
    store_id, ingest_path = provisioned["store_id"], provisioned["ingest_url"]
    auth = basic(SENDER, PASSWORD)

    # --- sender payloads through gunicorn, a heartbeat through daphne ---
    status, body = post_json(f"{web}/api/health/heartbeat", {}, auth)
    check(status == 200 and body["store"] == "smoke-1", f"heartbeat through gunicorn: {status}")
    hour = time.strftime("%Y-%m-%dT%H:00", time.gmtime())
    status, body = post_json(f"{web}/api/analytics/customers", {"entered": 12, "exited": 5, "timestamp": hour}, auth)
    check(status == 201 and body["entered"] == 12, f"customers payload stored: {status} {body}")
    status, body = post_json(f"{ws}/api/health/heartbeat", {}, auth)
    check(status == 200, f"heartbeat through daphne: {status}")
    # The range is in the store's local days: around its midnight the UTC date is the wrong day,
    # so read the days either side of it too.
    utc_day = date.fromisoformat(hour[:10])
    around = f"from={utc_day - timedelta(days=1)}&to={utc_day + timedelta(days=1)}"
    status, _, raw = http("GET", f"{web}/api/stores/{store_id}/customers?{around}", headers=auth)
    check(status == 200 and b"12" in raw, "customers readable through the read API")

    # --- camera XML: web keeps the push, the applier applies it ---
    camera_documents(web, ingest_path, store_id, auth, processes)

    # --- a capture request, run by the Celery worker ---
    manage(env, "pantilt", "add-rig", "--tenant", "Smoke Brand", "--device-id", RIG,
           "--camera", f"{RGB_CAMERA}=ws://127.0.0.1:{CAMERA_PORT}/{RGB_CAMERA}")  # fmt: skip
    processes.start(
        "simulate_rig",
        [
            PY,
            "manage.py",
            "simulate_rig",
            "--device-id",
            RIG,
            "--speed",
            "20000",
            "--zoom-speed",
            "20000",
            "--publish-interval",
            "0.5",
        ],
    )
    processes.start(
        "simulate_cameras",
        [
            PY,
            "manage.py",
            "simulate_cameras",
            "--host",
            "127.0.0.1",
            "--port",
            str(CAMERA_PORT),
            "--camera",
            f"{RGB_CAMERA}:64x48:rgb8:10",
        ],
    )
    time.sleep(2)
    capture = {
        "requests": [
            {"target_id": "camera_device", "device_id": RIG, "command_id": "start_recording_command",
             "args": {"duration_second": 1, "camera_ids": [RGB_CAMERA]}},
            {"target_id": "entity", "device_id": RIG, "command_id": "set_pan_position_degree",
             "args": {"pan_position_deg_x100": 1000}},
        ]
    }  # fmt: skip
    status, body = post_json(f"{web}/api/pantilt/process-request", capture, auth)
    check(status == 202 and body["status"] == "queued", f"capture request accepted: {status} {body}")
    session_url = f"{web}/api/pantilt/sessions/{body['session_id']}"

    def session_finished():
        state = json.loads(http("GET", session_url, headers=auth)[2])
        return state if state["status"] in ("done", "failed") else None

    session = wait_until("the capture session", session_finished, 90, processes)
    check(session["status"] == "done", f"capture session done by the worker: {session.get('error')}")
    folder = Path(env["MEDIA_ROOT"]) / session["folder"]
    frames = sorted((folder / RGB_CAMERA).glob("*.png"))
    check((folder / "manifest.json").is_file() and len(frames) > 0, f"{len(frames)} frames and a manifest saved")

    # --- VisitorsFlow: the watcher ingests a file; the worker exports ---
    receiver = ThreadingHTTPServer(("127.0.0.1", EXPORT_PORT), ExportReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        watch = tmp / "watch" / "SS-SMOKE"
        watch.mkdir(parents=True)
        manage(env, "visitorsflow", "add-site", "--store-id", str(store_id), "--ssid", "SS-SMOKE",
               "--watch-dir", str(watch), "--export-url", f"http://127.0.0.1:{EXPORT_PORT}/export")  # fmt: skip
        now = datetime.now(ZoneInfo("Europe/Istanbul")).strftime("%Y%m%d%H%M%S")  # the site's local time
        events = [
            {"ID": 1, "inOut": 0, "time": now, "frameNumber": 10},
            {"ID": 2, "inOut": 0, "time": now, "frameNumber": 11},
        ]
        (watch / f"{now}.json.part").write_text(json.dumps(events))
        (watch / f"{now}.json.part").rename(watch / f"{now}.json")
        wait_until("the watcher to move the file to processed/", lambda: (watch / "processed" / f"{now}.json").exists(),
                   60, processes)  # fmt: skip
        check(True, "watcher ingested the VisitorsFlow file")
        export = subprocess.run(  # noqa: S603 - enqueues only; the worker does the export
            [
                PY,
                "-c",
                "import django; django.setup(); from visitorsflow.models import Site; "
                "from visitorsflow.tasks import export_site; "
                "export_site.delay(Site.objects.get(ssid='SS-SMOKE').pk, False)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        check(export.returncode == 0, f"export task enqueued {export.stderr[-1000:]}")
        wait_until("the export POST", lambda: ExportReceiver.received, 60, processes)
        sent = ExportReceiver.received[0]
        values = {row["TagType"]: row["TagValue"] for row in sent}
        check(
            values == {"Count": "2", "CountAccuIn": "2", "CountAccuOut": "0"}, f"worker exported today's counts: {sent}"
        )
    finally:
        receiver.shutdown()
        receiver.server_close()

    # --- beat: exactly one ---
    import redis

    lock = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    wait_until("beat to take its lock", lambda: lock.get("vislivis:celery-beat:lock"), 30, processes)
    owner = lock.get("vislivis:celery-beat:lock:owner").decode()
    # The entrypoint execs celery, so the beat's pid is the one we started.
    check(owner.endswith(f":{processes.running['beat'].pid}"), f"beat holds the single-beat lock ({owner})")
    second = processes.start(
        "beat-2", ["/bin/sh", str(ENTRYPOINT), "beat"], BEAT_SCHEDULE_FILE=str(tmp / "celerybeat-schedule-2")
    )
    wait_until(
        "the second beat to wait", lambda: "waiting to take over" in processes.tail("beat-2", 200), 30, processes
    )
    check(lock.get("vislivis:celery-beat:lock:owner").decode() == owner and second.poll() is None,
          "a second beat waits on the lock instead of sending")  # fmt: skip

    # --- still ready after all that ---
    check(http("GET", f"{web}/readyz")[0] == 200, "/readyz still 200 at the end")


def camera_documents(web: str, ingest_path: str, store_id: int, auth: dict, processes: Processes) -> None:
    """A push applied within seconds by the applier role; SIGTERM stops the applier cleanly; a
    push while no applier runs is kept and waits (``/readyz``), and the next applier applies it."""
    started = time.monotonic()
    status, _, raw = http("POST", f"{web}{ingest_path}", fresh_metrics(2, enters=7), {"Content-Type": "text/xml"})
    check(status == 200, f"XML Metrics answered 200: {status} {raw[:300]!r}")
    reply = json.loads(raw)
    check(reply == {"code": "0", "message": "success", "records": 3}, f"XML Metrics kept: {reply}")
    wait_until("the applier to apply the push", lambda: footfall_enters(web, store_id, auth) == 7,
               APPLY_WITHIN_SECONDS, processes)  # fmt: skip
    check(True, f"the applier applied the push: footfall 7 in {time.monotonic() - started:.1f}s")
    status, _, raw = http("GET", f"{web}/api/stores/{store_id}/health", headers=auth)
    devices = json.loads(raw)["devices"]
    check(
        status == 200 and [d["device_id"] for d in devices] == ["12345"], f"the counter in the store health {devices}"
    )
    ready = json.loads(http("GET", f"{web}/readyz")[2])
    check(ready["status"] == "ok" and ready["pending_documents"] == 0, f"/readyz after the apply: {ready}")

    code, seconds = processes.stop("applier")
    tail = processes.tail("applier", 200)
    check(code == 0 and "Traceback" not in tail, f"the applier stops on SIGTERM with exit 0 in {seconds:.1f}s ({code})")

    status, _, raw = http("POST", f"{web}{ingest_path}", fresh_metrics(1, enters=5), {"Content-Type": "text/xml"})
    check(status == 200 and json.loads(raw)["records"] == 3, "a push while no applier runs is answered")
    time.sleep(1)
    ready = json.loads(http("GET", f"{web}/readyz")[2])
    waiting = ready["pending_documents"] == 1 and ready["apply_lag_seconds"] >= 1
    check(waiting and footfall_enters(web, store_id, auth) == 7, f"... kept and waiting, not applied: /readyz {ready}")
    processes.start("applier-2", ["/bin/sh", str(ENTRYPOINT), "applier"])
    wait_until("a new applier to apply the kept push", lambda: footfall_enters(web, store_id, auth) == 12,
               APPLY_WITHIN_SECONDS + 10, processes)  # fmt: skip
    ready = json.loads(http("GET", f"{web}/readyz")[2])
    check(ready["pending_documents"] == 0, f"a restarted applier took the kept push: footfall 12, /readyz {ready}")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vislivis-smoke-"))
    processes = Processes(tmp, smoke_env(tmp))
    started = time.monotonic()
    try:
        run(tmp, processes)
    except (SmokeFailure, OSError, KeyError, ValueError) as failure:
        log(f"FAILED: {failure}")
        print(f"prod-smoke: {len(PASSED)} passed, 1 failed", flush=True)
        for name in processes.running:
            log(f"--- last lines of {name} ---\n{processes.tail(name)}")
        return 1
    finally:
        processes.stop_all()
    log(f"PASSED in {time.monotonic() - started:.0f}s (logs were in {tmp})")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"prod-smoke: {len(PASSED)} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
