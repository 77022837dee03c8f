"""Every feed of seed 000, sent with the seed's own payloads to a live panel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from stores.models import StoreHeartbeat

HOUR = datetime(2026, 2, 16, 14, tzinfo=UTC)


def test_customers_seed_payload(sender, live_server, sender_a, store_a, payloads, spool_dir):
    run = sender("customers", "-j", str(payloads / "payload.json"), url=live_server.url)
    assert run.code == 0, run.err
    assert run.out.splitlines() == ["customers: sent 1 record (201 created)", "summary: 1 sent, 0 spooled, 0 rejected"]
    row = HourlyCustomers.objects.get(store=store_a)
    assert (row.camera_id, row.hour, row.entered, row.exited, row.customers_inside) == ("kapi-1", HOUR, 10, 8, 42)
    assert (row.male_count, row.female_count, row.age_18_30, row.age_30_50, row.age_50_plus) == (5, 5, 3, 5, 2)


def test_age_gender_seed_payloads_update_the_same_hour(sender, live_server, sender_a, store_a, payloads):
    first = sender("age-gender", "-j", str(payloads / "payload_age_gender.json"), url=live_server.url)
    assert first.code == 0, first.err
    assert "age-gender: sent 1 record (201 created)" in first.out
    second = sender("age-gender", "-j", str(payloads / "payload_demographics_only.json"), url=live_server.url)
    assert second.code == 0, second.err
    assert "age-gender: sent 1 record (200 updated)" in second.out
    row = HourlyCustomers.objects.get(store=store_a)
    # demographics overwrite, entered/exited of the first payload are kept
    assert (row.camera_id, row.hour, row.entered, row.exited) == ("", HOUR, 15, 12)
    assert (row.male_count, row.female_count, row.age_18_30, row.age_30_50, row.age_50_plus) == (6, 4, 4, 4, 2)


def test_heatmap_seed_payload(sender, live_server, sender_a, store_a, payloads):
    run = sender("heatmap", "-j", str(payloads / "payload_heatmap.json"), url=live_server.url)
    assert run.code == 0, run.err
    row = HourlyZoneHeatmap.objects.get(store=store_a)
    assert (row.zone.name, row.camera_id, row.hour, row.visitor_count, row.intensity) == (
        "kadin-giyim",
        "kamera-2",
        HOUR,
        122,
        45.5,
    )


def test_queue_seed_payload(sender, live_server, sender_a, store_a, payloads):
    run = sender("queue", "-j", str(payloads / "payload_queue.json"), url=live_server.url)
    assert run.code == 0, run.err
    row = HourlyQueue.objects.get(store=store_a)
    assert (row.cashier.name, row.hour, row.total_customers, row.wait_time) == ("Kasa-2", HOUR, 14, 44.5)


def test_payload_without_timestamp_is_stamped_with_the_current_utc_hour(
    sender, live_server, sender_a, store_a, write_json
):
    # The seed's hourly_customer.sh writes no timestamp when the AI forgets; the client stamps
    # it at once so a record that waits in the spool still lands in the hour it belongs to.
    clock = datetime(2026, 3, 1, 9, 41, 7, tzinfo=UTC).timestamp()
    run = sender("customers", "-j", write_json({"entered": 12, "exited": 10}), url=live_server.url, clock=lambda: clock)
    assert run.code == 0, run.err
    row = HourlyCustomers.objects.get(store=store_a)
    assert (row.hour, row.entered, row.exited) == (datetime(2026, 3, 1, 9, tzinfo=UTC), 12, 10)


def test_batch_file_is_one_request(sender, live_server, sender_a, store_a, write_json):
    batch = [
        {"cashier_id": f"Kasa-{k}", "total_customers": 10 + k, "wait_time": 35, "timestamp": "2026-02-16T14:00"}
        for k in (1, 2, 3, 4)
    ]
    run = sender("queue", "-j", write_json(batch), url=live_server.url)
    assert run.code == 0, run.err
    assert "queue: sent 4 records (201 created)" in run.out
    assert sorted(HourlyQueue.objects.values_list("cashier__name", "total_customers")) == [
        ("Kasa-1", 11),
        ("Kasa-2", 12),
        ("Kasa-3", 13),
        ("Kasa-4", 14),
    ]


def test_payload_from_stdin(sender, live_server, sender_a, store_a):
    import io

    stdin = io.StringIO('{"zone": "vitrin", "visitor_count": 3, "intensity": 2.5, "timestamp": "2026-02-16T14:00"}')
    run = sender("heatmap", "-j", "-", url=live_server.url, stdin=stdin)
    assert run.code == 0, run.err
    assert HourlyZoneHeatmap.objects.get(store=store_a).zone.name == "vitrin"


def test_heartbeat_once(sender, live_server, sender_a, store_a):
    run = sender("heartbeat", "--once", url=live_server.url)
    assert run.code == 0, run.err
    assert "heartbeat: ok at " in run.out and "(store boyner-avm)" in run.out
    heartbeat = StoreHeartbeat.objects.get(store=store_a)
    assert heartbeat.count == 1
    assert heartbeat.payload == {"client": "vislivis-senders/0.1.0", "spool_waiting": 0}


def test_heartbeat_loop_with_the_seed_flags(sender, live_server, sender_a, store_a, sleeps):
    # `heartbeat_sender.py -u boyner -p boyner --interval 5`: a ping, five minutes, a ping ...
    run = sender("heartbeat", "--interval", "5", url=live_server.url, max_ticks=3)
    assert run.code == 0, run.err
    assert run.out.count("heartbeat: ok") == 3
    assert sleeps == [300.0, 300.0]
    assert StoreHeartbeat.objects.get(store=store_a).count == 3


def test_second_heartbeat_loop_exits_when_one_runs(sender, live_server, sender_a, store_a, spool_dir):
    # cron's `*/5 * * * * python heartbeat_sender.py` next to a running loop must not pile up loops
    import fcntl

    spool_dir.mkdir(parents=True)
    with open(spool_dir / "heartbeat-boyner.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        run = sender("heartbeat", url=live_server.url, max_ticks=1)
    assert run.code == 0
    assert "already running" in run.out
    assert not StoreHeartbeat.objects.filter(store=store_a).exists()


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_heartbeat_interval_must_be_positive(sender, interval, down_url):
    run = sender("heartbeat", "--interval", interval, url=down_url)
    assert run.code == 2
    assert "--interval must be more than 0 minutes" in run.err
