"""CSV exports of the dashboard tables: exact contents, formula defusing, scoping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from analytics.models import HourlyCustomers, HourlyZoneHeatmap
from stores.models import Zone

pytestmark = pytest.mark.django_db

HOUR = datetime(2026, 3, 2, 9, tzinfo=UTC)  # 12:00 in Istanbul


def rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def viewer_client(client, viewer_a):
    client.force_login(viewer_a)
    return client


def test_footfall_and_occupancy_csv(viewer_client, store_a):
    HourlyCustomers.objects.create(store=store_a, hour=HOUR, entered=8, exited=3)
    url = f"/dashboard/stores/{store_a.pk}/export/footfall.csv?from=2026-03-02&to=2026-03-02"
    response = viewer_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="boyner-avm_footfall_2026-03-02_2026-03-02.csv"'
    assert rows(response) == [
        ["period", "sender_entered", "sender_exited", "camera_enters", "camera_exits"],
        ["2026-03-02T12:00:00+03:00", "8", "3", "", ""],
    ]
    occupancy = rows(viewer_client.get(url.replace("footfall", "occupancy")))
    assert occupancy[0] == ["hour", "inside"]
    assert len(occupancy) == 1 + 24
    assert occupancy[12] == ["2026-03-02T11:00:00+03:00", "0"]
    assert occupancy[13] == ["2026-03-02T12:00:00+03:00", "5"]
    assert occupancy[24] == ["2026-03-02T23:00:00+03:00", "5"]


def test_zone_names_that_look_like_formulas_are_defused(viewer_client, store_a):
    zone = Zone.objects.create(store=store_a, name="=cmd|'/c calc'!A1")
    HourlyZoneHeatmap.objects.create(store=store_a, zone=zone, hour=HOUR, visitor_count=4, intensity=30)
    response = viewer_client.get(f"/dashboard/stores/{store_a.pk}/export/zones.csv?from=2026-03-02")
    assert rows(response) == [["zone", "visitors", "avg_dwell_seconds"], ["'=cmd|'/c calc'!A1", "4", "30.0"]]


def test_every_table_exports_and_unknown_table_is_404(viewer_client, store_a):
    for table in ("footfall", "occupancy", "demographics", "zones", "queues", "queue-hours", "comparison", "devices"):
        response = viewer_client.get(f"/dashboard/stores/{store_a.pk}/export/{table}.csv")
        assert response.status_code == 200, table
        assert len(rows(response)[0]) >= 2
    assert viewer_client.get(f"/dashboard/stores/{store_a.pk}/export/secrets.csv").status_code == 404


def test_demographics_and_comparison(viewer_client, store_a):
    HourlyCustomers.objects.create(store=store_a, hour=HOUR, entered=10, male_count=4, female_count=6, age_18_30=5)
    query = "?from=2026-03-02"
    assert rows(viewer_client.get(f"/dashboard/stores/{store_a.pk}/export/demographics.csv{query}")) == [
        ["measure", "count"],
        ["male_count", "4"],
        ["female_count", "6"],
        ["age_18_30", "5"],
        ["age_30_50", ""],
        ["age_50_plus", ""],
    ]
    comparison = rows(viewer_client.get(f"/dashboard/stores/{store_a.pk}/export/comparison.csv{query}"))
    assert comparison[:2] == [["measure", "current", "previous", "change_percent"], ["sender_footfall", "10", "", ""]]


def test_other_tenants_csv_is_404(client, viewer_b, store_a):
    client.force_login(viewer_b)
    response = client.get(f"/dashboard/stores/{store_a.pk}/export/footfall.csv")
    assert response.status_code == 404
    assert b"boyner" not in response.content


def test_brand_csv(client, brand_admin_a, store_a, store_a2):
    HourlyCustomers.objects.create(store=store_a, hour=HOUR, entered=8, exited=3)
    client.force_login(brand_admin_a)
    response = client.get("/dashboard/brand/export.csv?from=2026-03-02&sort=footfall&dir=desc")
    table = rows(response)
    assert [row[:9] for row in table] == [
        ["store_id", "store", "footfall", "occupancy_peak", "avg_wait_seconds", "devices", "devices_offline"]
        + ["visitors", "visitors_rank"],
        [str(store_a.pk), "AVM İstanbul", "8", "5", "", "0", "0", "8", "1"],
        [str(store_a2.pk), "Ankara", "", "", "", "0", "0", "", ""],
    ]
    assert len({len(row) for row in table}) == 1  # the comparison columns (tests/sales) on every line
