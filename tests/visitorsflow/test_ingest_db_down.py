"""The database unavailable before and during a scan: files stay where they are and are retried.

The outage is real: the connection is pointed at a closed port, or its server process is
terminated mid-scan with pg_terminate_backend.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.visitorsflow.conftest import event, write_events
from visitorsflow.ingest import scan_site
from visitorsflow.models import IngestedFile, PersonEvent
from visitorsflow.watcher import Watcher

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@contextmanager
def database_down():
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


def fail_from_second_file():
    """An execute wrapper that makes the database go away when the second file is being stored."""
    inserts = []

    def wrapper(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "visitorsflow_ingestedfile"'):
            inserts.append(sql)
            if len(inserts) == 2:
                pid = connection.connection.info.backend_pid
                killer = connection.get_new_connection(connection.get_connection_params())
                killer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                killer.close()
        return execute(sql, params, many, context)

    return wrapper


def test_database_down_leaves_file_and_next_pass_ingests_it(site, watch_dir):
    write_events(watch_dir, "20240501102825.json", [event(1, 0, "20240501101825", 10)])
    site_ssid = site.ssid

    with database_down():
        result = scan_site(site)

    assert result.ingested == [] and result.rejected == []
    assert [r["file"] for r in result.retry] == ["20240501102825.json"]
    assert result.retry[0]["reason"].startswith("database unavailable")
    assert (watch_dir / "20240501102825.json").exists()
    assert not (watch_dir / "processed").exists() and not (watch_dir / "failed").exists()

    again = scan_site(site)

    assert [r["file"] for r in again.ingested] == ["20240501102825.json"]
    assert PersonEvent.objects.filter(site__ssid=site_ssid).count() == 1
    assert (watch_dir / "processed" / "20240501102825.json").exists()


def test_bad_file_waits_too_when_its_rejection_cannot_be_recorded(site, watch_dir):
    (watch_dir / "bad.json").write_text("{")

    with database_down():
        result = scan_site(site)

    assert [r["file"] for r in result.retry] == ["bad.json"]
    assert (watch_dir / "bad.json").exists() and not (watch_dir / "failed").exists()
    assert [r["file"] for r in scan_site(site).rejected] == ["bad.json"]


def test_database_lost_mid_scan_nothing_lost_nothing_doubled(site, watch_dir):
    for n, name in enumerate(["20240501101000.json", "20240501102000.json", "20240501103000.json"]):
        write_events(watch_dir, name, [event(n, 0, name[:14], n), event(n, 1, name[:14], n + 100)])
    watcher = Watcher(polling=True)

    with connection.execute_wrapper(fail_from_second_file()):
        first = watcher.tick(force=True)

    assert [r["file"] for r in first[0].ingested] == ["20240501101000.json"]
    assert [r["file"] for r in first[0].retry] == ["20240501102000.json"]
    assert sorted(p.name for p in watch_dir.glob("*.json")) == ["20240501102000.json", "20240501103000.json"]

    second = watcher.tick()  # the watcher retries pending sites on its next tick, reconnecting

    assert [r["file"] for r in second[0].ingested] == ["20240501102000.json", "20240501103000.json"]
    assert PersonEvent.objects.count() == 6
    assert IngestedFile.objects.filter(outcome="processed").count() == 3
    assert list(watch_dir.glob("*.json")) == []
