"""The sender client's till feed: its checks read exactly like the panel's, and the command
and the legacy-style script deliver to the real endpoint."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from sales.api.serializers import SalesInputSerializer
from sales.models import HourlySales
from senders import validation as client
from tests.factories import PASSWORD
from tests.senders.test_legacy_scripts import script_env
from tests.senders.test_validation import server_errors

REPO = Path(__file__).resolve().parents[2]
OK = {"transactions": 3, "revenue": "12.50", "timestamp": "2026-02-16T14:00"}
SALES = [
    OK,
    {**OK, "till": "Kasa-1", "items": 7, "currency": "try"},
    {},
    {**OK, "revenue": 12},
    {**OK, "revenue": 12.5},
    {**OK, "revenue": "12.505"},
    {**OK, "revenue": "-0.01"},
    {**OK, "revenue": "1e3"},
    {**OK, "revenue": "1e20"},
    {**OK, "revenue": "0.001e2"},
    {**OK, "revenue": "9" * 13},
    {**OK, "revenue": "9" * 1001},
    {**OK, "revenue": "١٢"},
    {**OK, "revenue": "1_0"},
    {**OK, "revenue": "NaN"},
    {**OK, "revenue": "-Infinity"},
    {**OK, "revenue": True},
    {**OK, "revenue": None},
    {**OK, "revenue": [1]},
    {**OK, "revenue": "abc"},
    {**OK, "transactions": 0},
    {**OK, "transactions": 0, "revenue": "0"},
    {**OK, "transactions": -1, "items": "x"},
    {**OK, "till": "x" * 101},
    {**OK, "till": ""},
    {**OK, "currency": "EURO"},
    {**OK, "currency": "E1R"},
    {**OK, "currency": ""},
    {**OK, "currency": 123},
    {**OK, "currency": "e\x00r"},
    {**OK, "revenu": 1},
    [OK, {**OK, "revenue": "x"}],
    [],
    "text",
]


@pytest.mark.parametrize("body", SALES)
def test_sales_rules_match_the_panel(body):
    assert client.batch_errors(body, client.sales_errors) == server_errors(SalesInputSerializer, body)


def test_legacy_style_script_sends_the_example_payload(live_server, sender_a, store_a, tmp_path):
    payload = REPO / "senders" / "examples" / "payload_sales.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "senders" / "legacy" / "data_sender_sales.py"), "-j", str(payload)]
        + ["--url", live_server.url, "-u", "boyner", "-p", PASSWORD],
        env=script_env(tmp_path / "spool"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "sales: sent 2 records (201 created)" in done.stdout
    assert sorted(HourlySales.objects.values_list("till", "revenue")) == [
        ("Kasa-1", Decimal("2745.50")),
        ("Kasa-2", Decimal("1320.00")),
    ]
