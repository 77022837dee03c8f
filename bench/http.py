"""The HTTP side of the bench: a production-like gunicorn server and a load generator.

The server is ``gunicorn`` with sync workers on ``bench.settings`` (production settings plus the
bare baseline view), exactly as ``docker/entrypoint.sh`` runs it. The load generator is Debian's
``wrk`` (C, one event loop per thread, so it takes little CPU from the server); when it is not
installed a small threaded Python client stands in (slower, noted in the results).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lua" / "template.lua"


@dataclass
class Scenario:
    """One endpoint under load: what is sent and how."""

    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body_template: str = ""  # placeholders {{DEV}} {{EPOCH}} {{TRANSMIT}} {{TOTAL}} {{HOUR}} {{N}}
    devices: int = 1
    epoch: int = 1_700_000_000
    # Pushes of one minute per device before it moves on (a real-time camera's supersedes).
    repeat: int = 1
    rate: float = 0.0  # requests/s over all connections; 0: as fast as the server answers
    # A templated request takes its device's path (a camera pushes to its store), others in turn.
    paths: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)  # Authorization values taken in turn


def request_parts(scenario: Scenario, n: int) -> tuple[str, dict[str, str]]:
    """Path and headers of request ``n`` (the Python client's version of the Lua selection)."""
    path = scenario.path
    if scenario.paths:
        pick = n % scenario.devices if scenario.body_template else n
        path = scenario.paths[pick % len(scenario.paths)]
    headers = dict(scenario.headers)
    if scenario.authorizations:
        headers["Authorization"] = scenario.authorizations[n % len(scenario.authorizations)]
    return path, headers


def render_body(scenario: Scenario, n: int) -> bytes:
    """The body of request ``n``, as the Lua script builds it (the Python client's version).

    Device ``n % devices`` sends its push number ``n // devices``: with ``repeat`` R, pushes
    0 … R−1 carry the same minute with a growing ``{{TRANSMIT}}`` and running ``{{TOTAL}}``
    (1 … R), then the next minute starts.
    """
    if not scenario.body_template:
        return b""
    dev = n % scenario.devices
    push = n // scenario.devices
    within = push % scenario.repeat
    minute = scenario.epoch + 60 * (push // scenario.repeat)
    transmit = minute + within * 60 // scenario.repeat
    hour = time.strftime("%Y-%m-%dT%H:00", time.gmtime(scenario.epoch + 3600 * push))
    body = scenario.body_template.replace("{{DEV}}", str(dev)).replace("{{EPOCH}}", str(minute))
    body = body.replace("{{TRANSMIT}}", str(transmit)).replace("{{TOTAL}}", str(within + 1))
    return body.replace("{{HOUR}}", hour).replace("{{N}}", str(n)).encode()


def web_workers() -> int:
    """The web role's default (``docker/entrypoint.sh``): 2 × CPUs + 1."""
    return 2 * (os.cpu_count() or 1) + 1


class GunicornServer:
    """``gunicorn bench.wsgi`` on loopback; started and stopped by process id."""

    def __init__(self, env: dict[str, str], port: int, workers: int | None = None, log_path: Path | None = None):
        self.env = env
        self.port = port
        self.workers = workers or web_workers()
        self.log_path = log_path or Path("/tmp/vislivis-bench-gunicorn.log")
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "vislivis.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--worker-class",
            "sync",
            "--workers",
            str(self.workers),
            "--timeout",
            "60",
            "--preload",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
            "--forwarded-allow-ips",
            "127.0.0.1",
            "--error-logfile",
            "-",
        ]
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _ = request("GET", self.base_url + "/bench/bare", {"X-Forwarded-Proto": "https"})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def request(method: str, url: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request (preflight checks and the Python client)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body or None, headers=headers
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def parse_wrk_output(text: str) -> dict[str, Any]:
    """The ``BENCH_JSON`` line the Lua ``done()`` prints, plus requests per second."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            seconds = data["duration_us"] / 1e6
            data["rps"] = round(data["requests"] / seconds, 1) if seconds else 0.0
            data["failed"] = data["non2xx"] + sum(data["errors"].values())
            return data
    raise ValueError(f"no BENCH_JSON line in wrk output:\n{text[-2000:]}")


def wrk_environment(scenario: Scenario, threads: int, directory: Path) -> tuple[dict[str, str], list[Path]]:
    """The ``BENCH_*`` variables ``bench/lua/template.lua`` reads, and the files they name.

    One place for the contract between the harness and its Lua script, so the test that runs the
    script (without wrk) hands it exactly what ``run_wrk`` hands wrk.
    """
    prefix = f"vislivis-bench-{os.getpid()}-{scenario.name}"
    files: list[Path] = []

    def kept(suffix: str, text: str) -> str:
        path = directory / f"{prefix}.{suffix}"
        path.write_text(text)
        files.append(path)
        return str(path)

    env = {
        "BENCH_METHOD": scenario.method,
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in scenario.headers.items()),
        "BENCH_BODY": kept("body", scenario.body_template) if scenario.body_template else "",
        "BENCH_DEVICES": str(scenario.devices),
        "BENCH_EPOCH": str(scenario.epoch),
        "BENCH_REPEAT": str(scenario.repeat),
        "BENCH_RATE": str(scenario.rate),
        "BENCH_THREADS": str(threads),
    }
    for name, values in (("BENCH_PATHS", scenario.paths), ("BENCH_AUTHS", scenario.authorizations)):
        env[name] = kept(name.lower(), "\n".join(values) + "\n") if values else ""
    return env, files


def run_wrk(base_url: str, scenario: Scenario, duration: float, connections: int, threads: int = 2) -> dict[str, Any]:
    """Load one scenario with wrk; returns rps, latency percentiles (µs) and failures."""
    bench_env, files = wrk_environment(scenario, threads, Path("/tmp"))
    env = {**os.environ, **bench_env}
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base_url + scenario.path,
    ]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60)
    finally:
        for path in files:
            path.unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    result = parse_wrk_output(done.stdout)
    result["generator"] = "wrk"
    return result


def run_python_client(
    base_url: str, scenario: Scenario, duration: float, connections: int, threads: int = 2
) -> dict[str, Any]:
    """The stand-in generator: ``connections`` threads with keep-alive connections."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(10**9))
    began = time.monotonic()
    deadline = began + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        local: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                n = next(counter)
            if scenario.rate > 0:  # request n's send slot, as the Lua delay() hands them out
                time.sleep(max(0.0, min(deadline, began + n / scenario.rate) - time.monotonic()))
                if time.monotonic() >= deadline:
                    break
            body = render_body(scenario, n)
            path, headers = request_parts(scenario, n)
            started = time.perf_counter()
            try:
                conn.request(scenario.method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                status = -1
            local.append(time.perf_counter() - started)
            if not 200 <= status <= 299:
                with lock:
                    failures[str(status)] = failures.get(str(status), 0) + 1
        conn.close()
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6) if latencies else 0

    bad = sum(failures.values())
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "non2xx": bad,
        "statuses": failures,
        "errors": {},
        "failed": bad,
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        "mean_us": round(sum(latencies) / len(latencies) * 1e6, 1) if latencies else 0.0,
        "generator": "python",
    }


def load(base_url: str, scenario: Scenario, duration: float, connections: int, threads: int = 2) -> dict[str, Any]:
    """Load a scenario with wrk when installed, else the Python client."""
    runner = run_wrk if wrk_available() else run_python_client
    return runner(base_url, scenario, duration, connections, threads)
