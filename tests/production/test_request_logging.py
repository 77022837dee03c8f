"""Request ids and structured logs."""

from __future__ import annotations

import json
import logging

from vislivis.logging import JsonFormatter, RequestIdFilter, inbound_request_id, request_id_var


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_inbound_id_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd").headers["X-Request-ID"] == "lb-1234abcd"
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")
    assert hostile["X-Request-ID"] != "x\nFAKE LOG LINE"
    assert inbound_request_id("short") != "short"


def test_access_line_has_the_request_id_and_fields(api, sender_a, caplog):
    with caplog.at_level(logging.INFO, logger="vislivis.request"):
        response = api(sender_a).post("/api/health/heartbeat", HTTP_X_REQUEST_ID="store-push-0001")
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "vislivis.request"]
    assert record.status == 200
    assert record.method == "POST"
    assert record.path == "/api/health/heartbeat"
    assert record.request_id == "store-push-0001"


def test_health_polls_write_no_access_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="vislivis.request"):
        client.get("/healthz")
    assert [r for r in caplog.records if r.name == "vislivis.request"] == []


def test_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("vislivis.x", logging.WARNING, __file__, 1, "stored %s rows", (3,), None)
    record.status = 201
    token = request_id_var.set("abc12345")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "stored 3 rows"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "vislivis.x"
    assert entry["request_id"] == "abc12345"
    assert entry["status"] == 201
    assert entry["time"].endswith("+00:00")


def test_records_outside_a_request_get_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
