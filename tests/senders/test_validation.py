"""Client-side checks: the panel's own rules and messages, before anything is sent or stored.

The parity tests feed the same payloads to the client's validators and to the panel's
serializers and require identical ``{field: [messages]}``; the sender does not import Django,
so this is what keeps the two copies of the rules in step.
"""

from __future__ import annotations

import base64
import math

import cv2
import numpy as np
import pytest

from analytics.api import serializers as server
from analytics.models import HourlyCustomers
from senders import validation as client
from stores.api.errors import flatten_errors
from stores.api.ingest import MAX_BATCH
from stores.api.serializers import SetupInputSerializer

JPEG = base64.b64encode(cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()).decode()

CUSTOMERS = [
    {"entered": 10, "exited": 8, "timestamp": "2026-02-16T14:00"},
    {"male_count": 6, "timestamp": "2026-02-16T14:00"},
    {"entered": 0, "exited": 0},
    {},
    {"enterd": 5, "exited": 2},
    {"entered": "5", "exited": 5.0},
    {"entered": 5.5},
    {"entered": True},
    {"entered": -1},
    {"entered": 2**31},
    {"entered": None},
    {"entered": [1]},
    {"entered": "9" * 1001},
    {"entered": 1, "camera_id": "x" * 101},
    {"entered": 1, "camera_id": ""},
    {"entered": 1, "camera_id": "a\x00b"},
    {"entered": 1, "camera_id": 7},
    {"entered": 1, "camera_id": ["a"]},
    {"entered": 1, "store": ""},
    {"entered": 1, "store": "s" * 65},
    {"entered": 1, "timestamp": "2026-02-16"},
    {"entered": 1, "timestamp": "2026-02-16T14"},
    {"entered": 1, "timestamp": "16/02/2026 14:00"},
    {"entered": 1, "timestamp": "1999-12-31T23:00"},
    {"entered": 1, "timestamp": "2999-01-01T00:00"},
    {"entered": 1, "timestamp": "2026-02-16T14:35:10+03:00"},
    {"entered": 1, "timestamp": 1700000000},
    {"entered": 1, "timestamp": None},
    {"entered": 1, "username": "x", "password": "y"},
    "not an object",
    [],
]
HEATMAPS = [
    {"zone": "kadin-giyim", "visitor_count": 122, "intensity": 45.5},
    {},
    {"zone": " ", "visitor_count": -1, "intensity": "fast"},
    {"zone": "z", "visitor_count": 1, "intensity": math.inf},
    {"zone": "z", "visitor_count": 1, "intensity": 10**7 + 1},
    {"zone": "z", "visitor_count": 1, "intensity": True},
    {"zone": "z" * 121, "visitor_count": 1, "intensity": "3.5"},
    {"zone": "z", "visitor_count": 1, "intensity": 1, "colour": "red"},
]
QUEUES = [
    {"cashier_id": "Kasa-2", "total_customers": 14, "wait_time": 44.5},
    {"cashier_id": None, "total_customers": "x", "wait_time": -0.5},
    {"cashier_id": "K", "total_customers": 1},
]


def server_errors(serializer_class, body) -> dict:
    """What the panel answers, computed with its own code (batch handling as in stores.api.ingest)."""
    if isinstance(body, list):
        if not body:
            return {"non_field_errors": ["An empty batch has nothing to store."]}
        if len(body) > MAX_BATCH:
            return {"non_field_errors": [f"A batch may hold at most {MAX_BATCH} records."]}
        errors = {}
        for index, record in enumerate(body):
            s = serializer_class(data=record)
            if not s.is_valid():
                errors.update({f"{index}.{k}": v for k, v in flatten_errors(s.errors).items()})
        return errors
    if not isinstance(body, dict):
        return {"non_field_errors": ["Expected a JSON object or an array of objects."]}
    s = serializer_class(data=body)
    return {} if s.is_valid() else flatten_errors(s.errors)


@pytest.mark.parametrize("body", CUSTOMERS)
def test_customers_rules_match_the_panel(body):
    assert client.batch_errors(body, client.customers_errors) == server_errors(server.CustomersInputSerializer, body)


@pytest.mark.parametrize("body", HEATMAPS)
def test_heatmap_rules_match_the_panel(body):
    assert client.batch_errors(body, client.heatmap_errors) == server_errors(server.HeatmapInputSerializer, body)


@pytest.mark.parametrize("body", QUEUES)
def test_queue_rules_match_the_panel(body):
    assert client.batch_errors(body, client.queue_errors) == server_errors(server.QueueInputSerializer, body)


def test_batch_rules_match_the_panel():
    batch = [QUEUES[0], QUEUES[1], QUEUES[2]]
    expected = server_errors(server.QueueInputSerializer, batch)
    assert client.batch_errors(batch, client.queue_errors) == expected
    assert sorted(expected) == ["1.cashier_id", "1.total_customers", "1.wait_time", "2.wait_time"]
    too_many = [QUEUES[0]] * (MAX_BATCH + 1)
    assert client.batch_errors(too_many, client.queue_errors) == server_errors(server.QueueInputSerializer, too_many)


SETUPS = [
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "Kişi Sayım", "rtsp": "rtsp://10.0.0.1/s"}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "ISI HARİTASI", "rtsp": ""}], "username": "u"},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "queue", "rtsp": "", "snapshot": JPEG}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "queue", "rtsp": "", "snapshot": "!!"}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "queue", "rtsp": "", "snapshot": None}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "queue", "rtsp": "", "snapshot": ""}]},
    {"site_name": "AVM", "cameras": []},
    {"cameras": "abc"},
    {"site_name": None, "cameras": None},
    {"site_name": "x" * 201, "cameras": ["a", {"name": "n"}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "heatmap", "rtsp": ""}] * 2},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "heatmap", "rtsp": "rtsp://"}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "heatmap", "rtsp": "rtsp://[::1/x"}]},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": 5, "rtsp": "ftp://host/x"}], "store": 12},
    {"site_name": "AVM", "cameras": [{"name": "a", "type": "queue", "rtsp": ""}] * 201},
]


@pytest.mark.parametrize("body", SETUPS)
def test_setup_rules_match_the_panel(body):
    s = SetupInputSerializer(data=body)
    expected = {} if s.is_valid() else flatten_errors(s.errors)
    assert client.setup_errors(body) == expected


# --- what the user sees ---------------------------------------------------------------------


def test_typo_is_refused_before_sending(sender, live_server, sender_a, write_json, spool_dir):
    run = sender("customers", "-j", write_json({"enterd": 12, "exited": 10}), url=live_server.url)
    assert run.code == 2
    assert run.err.splitlines() == [
        "customers: invalid enterd: Unknown field.",
        "customers: nothing sent (fix the payload and run again)",
    ]
    assert not (spool_dir / "spool.sqlite3").exists()  # nothing stored either
    assert not HourlyCustomers.objects.exists()


def test_zero_counts_are_refused(sender, down_url, write_json, spool_dir):
    run = sender("customers", "-j", write_json({"entered": 0, "exited": 0}), url=down_url)
    assert run.code == 2
    assert "customers: invalid entered: At least one of entered or exited must be greater than 0." in run.err


def test_batch_errors_name_the_record(sender, down_url, write_json):
    batch = [{"zone": "a", "visitor_count": 1, "intensity": 2}, {"zone": "b", "visitor_count": "many", "intensity": 2}]
    run = sender("heatmap", "-j", write_json(batch), url=down_url)
    assert run.code == 2
    assert "heatmap: invalid 1.visitor_count: A valid integer is required." in run.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{'entered': 1}", "is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        ('{"entered": 1,}', "is not valid JSON"),
    ],
)
def test_unreadable_payload_file(sender, down_url, tmp_path, content, message, spool_dir):
    path = tmp_path / "payload.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    run = sender("customers", "-j", str(path), url=down_url)
    assert run.code == 2
    assert message in run.err
    assert not (spool_dir / "spool.sqlite3").exists()


def test_unknown_flag_is_a_usage_error(sender, capsys):
    with pytest.raises(SystemExit) as exit_info:
        sender("customers", "--jsn", "x.json")
    assert exit_info.value.code == 2
