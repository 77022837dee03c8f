"""The VisitorsFlow page of a store: today's in/out/passed counts per site, in Traditional Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from visitorsflow.models import PersonEvent, Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def midday():
    """The store's day must not change between creating the events and reading the page: a run near
    the store's local midnight (21:00 UTC for Istanbul) once read yesterday's empty day."""
    with freeze_time("2026-03-10 09:00:00", tick=True):
        yield


@pytest.fixture
def site(store_a):
    now = timezone.now()
    site = Site.objects.create(store=store_a, ssid="SS-007", watch_dir="/tmp/ss-007", last_data_at=now)
    for n, in_out in enumerate([0, 0, 0, 1, 2]):
        PersonEvent.objects.create(
            site=site, person_id=n, in_out=in_out, time=now - timedelta(seconds=n), frame_number=n
        )
    PersonEvent.objects.create(site=site, person_id=99, in_out=0, time=now - timedelta(days=2), frame_number=1)
    return site


def test_counts_today_in_traditional_chinese(client, viewer_a, store_a, site):
    client.force_login(viewer_a)
    client.cookies["django_language"] = "zh-hant"
    response = client.get(f"/dashboard/stores/{store_a.pk}/visitorsflow/")
    assert response.status_code == 200
    [row] = response.context["sites"]
    assert (row["ssid"], row["entered"], row["left"], row["passed"], row["inside"], row["silent"]) == (
        "SS-007",
        3,
        1,
        1,
        2,
        False,
    )
    body = response.content.decode()
    assert '<html lang="zh-hant">' in body
    assert "目前店內人數" in body and "接收中" in body and "門市 AI" not in body


def test_other_tenant_gets_404(client, viewer_b, store_a, site):
    client.force_login(viewer_b)
    response = client.get(f"/dashboard/stores/{store_a.pk}/visitorsflow/")
    assert response.status_code == 404
    assert b"SS-007" not in response.content
