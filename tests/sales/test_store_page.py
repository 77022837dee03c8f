"""The store page's till panel and its CSV: conversion where both sides exist, a dash elsewhere."""

from __future__ import annotations

import csv
import io

from tests.sales.test_conversion import DAY, sale, visitors


def test_store_page_shows_conversion_and_missing_hours(client, viewer_a, store_a):
    visitors(store_a, 0, 100)
    sale(store_a, 0, 25, "1000.00")
    sale(store_a, 3, 4, "80.00")  # no visitors that hour
    client.force_login(viewer_a)
    html = client.get(f"/dashboard/stores/{store_a.pk}/?from={DAY}&to={DAY}").content.decode()
    assert 'data-kpi="conversion">25.0 %<' in html
    assert "Revenue (TRY)" in html
    table = html[html.index('id="table-sales"') :]
    assert '<td class="num">–</td><td class="num">4</td><td class="num">–</td>' in table


def test_store_page_without_till_data_says_so(client, viewer_a, store_a):
    visitors(store_a, 0, 100)
    client.force_login(viewer_a)
    html = client.get(f"/dashboard/stores/{store_a.pk}/?from={DAY}&to={DAY}").content.decode()
    assert "No till data in this period" in html


def test_sales_csv(client, viewer_a, store_a):
    visitors(store_a, 0, 80)
    sale(store_a, 0, 20, "500.00", items=44)
    sale(store_a, 1, 3, "30.00")
    client.force_login(viewer_a)
    response = client.get(f"/dashboard/stores/{store_a.pk}/export/sales.csv?from={DAY}&to={DAY}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows == [
        [
            "period",
            "visitors",
            "transactions",
            "conversion_percent",
            "revenue_TRY",
            "items",
            "average_transaction_value",
            "sales_per_visitor",
            "hours_matched",
        ],
        ["2026-02-16T10:00:00+03:00", "80", "20", "25.0", "500.00", "44", "25.00", "6.25", "1"],
        ["2026-02-16T11:00:00+03:00", "", "3", "", "30.00", "", "10.00", "", "0"],
    ]


def test_another_brands_viewer_gets_404(client, viewer_b, store_a):
    client.force_login(viewer_b)
    assert client.get(f"/dashboard/stores/{store_a.pk}/export/sales.csv").status_code == 404


def test_store_list_shows_todays_conversion(client, viewer_a, store_a):
    from datetime import UTC

    from django.utils import timezone

    from analytics.models import HourlyCustomers
    from sales.models import HourlySales

    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    HourlyCustomers.objects.create(store=store_a, camera_id="k", hour=hour, entered=40, exited=0)
    HourlySales.objects.create(store=store_a, hour=hour, transactions=10, revenue=100, currency="TRY")
    client.force_login(viewer_a)
    html = client.get("/dashboard/").content.decode()
    assert '<td class="num" data-cell="conversion">25.0 %</td>' in html
