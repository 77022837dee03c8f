"""The demo's till data follows the demo footfall: conversion between 15 and 35 % every day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics import demo as footfall_demo
from sales import demo
from sales.models import HourlySales
from sales.selectors import sales_report
from stores.reporting import ReportRange


def test_a_week_of_tills_with_plausible_conversion(store_a):
    footfall_demo.load(store_a, days=7)
    written = demo.load(store_a, days=7)
    assert written == HourlySales.objects.filter(store=store_a).count() > 0
    assert demo.load(store_a, days=7) == written  # idempotent: the same rows again
    assert HourlySales.objects.filter(store=store_a).count() == written
    today = datetime.now(ZoneInfo(store_a.timezone)).date()
    rng = ReportRange(ZoneInfo(store_a.timezone), today - timedelta(days=6), today - timedelta(days=1), "day")
    rows = sales_report(store_a, rng)
    assert len(rows) == 6
    for row in rows:
        assert 15 <= row["figures"].conversion <= 35, row
