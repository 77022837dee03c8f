"""Anomalies on the store page (computed from the store's history) and in the brand view (the
anomalies the checker holds open), for the user's own brand only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from freezegun import freeze_time

from alerts import checks
from alerts.models import Condition
from tests.alerts.conftest import load_series, make_device
from tests.alerts.synthetic import NOW, history, last_open_hours

pytestmark = pytest.mark.django_db


def blocked_store(store, device_id="CAM-1"):
    device = make_device(store, device_id, last_seen=NOW)
    series = history(noise=4)
    for hour in last_open_hours(3):
        series[hour] = 0
    load_series(device, series)
    return device


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.split(">", 1)[1])).strip() for row in body.split("<tr")[2:]]


@freeze_time(NOW)
def test_store_page_shows_the_blocked_counter_in_store_time(brand_admin_a, store_a):
    blocked_store(store_a)
    html = logged(brand_admin_a).get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    assert rows(html, "table-anomalies") == [
        "Main door counting nothing Mon 15:00–18:00 0 126"
    ]  # 35 + 40 + 50 usual at 15-18 h
    assert 'data-level="blocked"' in html


@freeze_time(NOW)
def test_store_page_with_a_normal_history_says_nothing_unusual(brand_admin_a, store_a):
    load_series(make_device(store_a, last_seen=NOW), history(noise=4))
    html = logged(brand_admin_a).get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    assert 'id="anomalies-none"' in html and 'id="table-anomalies"' not in html


def test_brand_view_lists_its_own_open_anomalies_only(brand_admin_a, store_a, store_b):
    blocked_store(store_a)
    blocked_store(store_b, "CAM-R")
    checks.check_store(store_a, NOW)
    checks.check_store(store_b, NOW)
    assert Condition.objects.filter(kind="anomaly", active=True).count() == 2

    html = logged(brand_admin_a).get("/dashboard/brand/").content.decode()
    assert rows(html, "table-brand-anomalies") == [
        "AVM İstanbul Main door 2026-02-16 15:00 0 126"
    ]  # 35 + 40 + 50 usual at 15-18 h
    assert "Rival" not in html


def test_brand_view_without_anomalies(brand_admin_a, store_a):
    html = logged(brand_admin_a).get("/dashboard/brand/").content.decode()
    assert 'id="brand-anomalies-none"' in html
