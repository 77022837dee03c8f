"""Store-and-forward: panel down → spooled; panel up → flushed once, oldest first; 401/4xx never spooled."""

from __future__ import annotations

import sqlite3

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from senders.spool import Spool
from stores.models import Role, StoreHeartbeat
from tests.factories import make_member


def waiting(spool_dir) -> list[tuple[str, str]]:
    with sqlite3.connect(spool_dir / "spool.sqlite3") as db:
        return db.execute("SELECT account, feed FROM outbox ORDER BY id").fetchall()


def moved_aside(spool_dir) -> list[tuple[str, str]]:
    with sqlite3.connect(spool_dir / "spool.sqlite3") as db:
        return db.execute("SELECT feed, reason FROM moved_aside ORDER BY id").fetchall()


def test_panel_down_spools_then_flush_sends_once(
    sender, live_server, sender_a, store_a, payloads, down_url, sleeps, spool_dir
):
    down = sender("customers", "-j", str(payloads / "payload.json"), url=down_url)
    assert down.code == 4
    assert "customers: 1 record spooled: cannot connect to" in down.err
    assert "(connection refused)" in down.err
    assert sleeps and len(sleeps) == 2  # two quick retries with back-off before spooling
    assert 1.6 <= sleeps[0] <= 2.4 and 3.2 <= sleeps[1] <= 4.8
    assert waiting(spool_dir) == [("boyner", "customers")]
    assert not HourlyCustomers.objects.exists()

    up = sender("spool", "flush", url=live_server.url)
    assert up.code == 0, up.err
    assert "spool: sent 1 earlier request (1 record)" in up.out
    assert waiting(spool_dir) == []
    again = sender("spool", "flush", url=live_server.url)
    assert again.code == 0
    assert "nothing waiting" in again.out
    row = HourlyCustomers.objects.get(store=store_a)
    assert (row.entered, row.exited, row.customers_inside) == (10, 8, 42)


def test_hourly_run_while_down_then_next_run_sends_everything_oldest_first(
    sender, live_server, sender_a, store_a, write_json, down_url, spool_dir
):
    # 14:00: the panel is down. A correction for 14:00 is queued behind it; 15:00 arrives when it is up.
    first = write_json({"entered": 5, "exited": 1, "timestamp": "2026-02-16T14:00"}, "a.json")
    fix = write_json({"entered": 12, "exited": 10, "timestamp": "2026-02-16T14:00"}, "b.json")
    later = write_json({"entered": 7, "exited": 7, "timestamp": "2026-02-16T15:00"}, "c.json")
    assert sender("customers", "-j", first, url=down_url).code == 4
    assert sender("customers", "-j", fix, url=down_url).code == 4
    assert len(waiting(spool_dir)) == 2
    run = sender("customers", "-j", later, url=live_server.url)
    assert run.code == 0, run.err
    assert "spool: sent 2 earlier requests (2 records)" in run.out
    assert "customers: sent 1 record (201 created)" in run.out
    assert "summary: 3 sent, 0 spooled, 0 rejected" in run.out
    rows = sorted(HourlyCustomers.objects.values_list("hour__hour", "entered", "exited"))
    assert rows == [(14, 12, 10), (15, 7, 7)]  # the correction won: sent after the stale record
    assert waiting(spool_dir) == []


def test_heartbeat_tick_flushes_the_spool(sender, live_server, sender_a, store_a, payloads, down_url, spool_dir):
    assert sender("queue", "-j", str(payloads / "payload_queue.json"), url=down_url).code == 4
    assert sender("heatmap", "-j", str(payloads / "payload_heatmap.json"), url=down_url).code == 4
    run = sender("heartbeat", "--once", url=live_server.url)
    assert run.code == 0, run.err
    assert "spool: sent 2 earlier requests (2 records)" in run.out
    assert StoreHeartbeat.objects.get(store=store_a).payload["spool_waiting"] == 2
    assert HourlyQueue.objects.count() == 1
    assert HourlyZoneHeatmap.objects.count() == 1
    assert waiting(spool_dir) == []


def test_heartbeat_is_never_spooled(sender, down_url, spool_dir):
    run = sender("heartbeat", "--once", url=down_url)
    assert run.code == 4
    assert "heartbeat: FAILED" in run.err
    assert waiting(spool_dir) == []


def test_wrong_password_is_a_clear_error_and_nothing_is_spooled(sender, live_server, sender_a, payloads, spool_dir):
    run = sender("customers", "-j", str(payloads / "payload.json"), url=live_server.url, password="nope")
    assert run.code == 3
    assert "customers: 1 record NOT sent: wrong username/password or token (401" in run.err
    assert "(not spooled)" in run.err
    assert waiting(spool_dir) == []
    assert moved_aside(spool_dir) == []
    assert not HourlyCustomers.objects.exists()


def test_viewer_account_is_refused_and_nothing_is_spooled(sender, live_server, viewer_a, payloads, spool_dir):
    run = sender("heatmap", "-j", str(payloads / "payload_heatmap.json"), url=live_server.url, user="viewer-a")
    assert run.code == 3
    assert "this account may not send data (403" in run.err
    assert waiting(spool_dir) == []
    assert not HourlyZoneHeatmap.objects.exists()


def test_400_is_reported_moved_aside_and_not_retried(
    sender, live_server, sender_a, store_a, store_a2, payloads, spool_dir
):
    # An account bound to two stores must name one: the panel answers 400 and stores nothing.
    sender_a.membership.stores.add(store_a2)
    run = sender("customers", "-j", str(payloads / "payload.json"), url=live_server.url)
    assert run.code == 5
    assert "customers: 1 record NOT accepted: rejected (400): store:" in run.err
    assert "kept aside as spool entry 1" in run.err
    assert waiting(spool_dir) == []
    assert [feed for feed, _ in moved_aside(spool_dir)] == ["customers"]
    assert sender("spool", "flush", url=live_server.url).code == 0  # nothing to retry
    assert not HourlyCustomers.objects.exists()
    # naming the store fixes it
    fixed = sender("customers", "-j", str(payloads / "payload.json"), "--store", "boyner-ankara", url=live_server.url)
    assert fixed.code == 0, fixed.err
    assert HourlyCustomers.objects.get().store == store_a2


def test_another_tenants_store_is_404_and_not_revealed(sender, live_server, sender_a, store_b, payloads):
    run = sender("queue", "-j", str(payloads / "payload_queue.json"), "--store", "rival-1", url=live_server.url)
    assert run.code == 5
    assert "rejected (404): detail: Store not found." in run.err
    assert "Rival" not in run.err
    assert not HourlyQueue.objects.exists()


def test_corrupted_spool_entry_is_moved_aside_and_the_others_are_sent(
    sender, live_server, sender_a, store_a, write_json, down_url, spool_dir
):
    for hour in (10, 11, 12):
        path = write_json({"entered": hour, "exited": 1, "timestamp": f"2026-02-16T{hour}:00"}, f"{hour}.json")
        assert sender("customers", "-j", path, url=down_url).code == 4
    with sqlite3.connect(spool_dir / "spool.sqlite3") as db:
        db.execute('UPDATE outbox SET body = \'{"entered": 11, "exi\' WHERE id = 2')
    run = sender("spool", "flush", url=live_server.url)
    assert run.code == 5
    assert "spool: sent 2 earlier requests (2 records)" in run.out
    assert "spool: entry 2 moved aside: damaged spool entry (not JSON:" in run.err
    assert sorted(HourlyCustomers.objects.values_list("entered", flat=True)) == [10, 12]
    assert waiting(spool_dir) == []
    assert [(feed, reason.split(":")[0]) for feed, reason in moved_aside(spool_dir)] == [("customers", "damaged")]
    status = sender("spool", "status", "-v", url=None)
    assert "moved aside: 1" in status.out
    assert "#2 customers" in status.out


def test_unreadable_spool_file_is_moved_aside_and_a_new_one_used(
    sender, live_server, sender_a, store_a, payloads, spool_dir
):
    spool_dir.mkdir(parents=True)
    (spool_dir / "spool.sqlite3").write_bytes(b"this is not a database" * 100)
    run = sender("customers", "-j", str(payloads / "payload.json"), url=live_server.url)
    assert run.code == 5, run.err  # sent, but what waited in the damaged file needs a look (like a damaged entry)
    assert "was unreadable" in run.err
    assert len(list(spool_dir.glob("spool.sqlite3.damaged-*"))) == 1
    assert HourlyCustomers.objects.count() == 1


def test_spool_keeps_accounts_apart(sender, live_server, sender_a, store_a, tenant_a, payloads, down_url, spool_dir):
    # Seed scenario C: one PC, several stores, each with its own login.
    from tests.factories import StoreFactory

    store_2 = StoreFactory(tenant=tenant_a, code="magaza-2")
    make_member(tenant_a, Role.SENDER, [store_2], username="magaza2")
    payload = str(payloads / "payload.json")
    assert sender("customers", "-j", payload, url=down_url).code == 4
    assert sender("customers", "-j", payload, url=down_url, user="magaza2").code == 4
    assert sorted(waiting(spool_dir)) == [("boyner", "customers"), ("magaza2", "customers")]
    assert sender("spool", "flush", url=live_server.url, user="magaza2").code == 0
    assert list(HourlyCustomers.objects.values_list("store__code", flat=True)) == ["magaza-2"]
    assert waiting(spool_dir) == [("boyner", "customers")]


def test_flush_if_due_respects_the_back_off(sender, live_server, sender_a, store_a, payloads, down_url, spool_dir):
    now = [1_800_000_000.0]
    assert sender("customers", "-j", str(payloads / "payload.json"), url=down_url, clock=lambda: now[0]).code == 4
    early = sender("spool", "flush", "--if-due", url=live_server.url, clock=lambda: now[0] + 30)
    assert early.code == 4  # still waiting: the first back-off step is one minute
    assert not HourlyCustomers.objects.exists()
    now[0] += 61
    due = sender("spool", "flush", "--if-due", url=live_server.url, clock=lambda: now[0])
    assert due.code == 0, due.err
    assert HourlyCustomers.objects.count() == 1
    status = Spool(spool_dir).status()
    assert status["backoff"] == [] and status["waiting"] == []
