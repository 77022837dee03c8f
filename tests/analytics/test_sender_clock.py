"""A store PC stamping local time as UTC is flagged with the offset it looks like (issue 14 item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from analytics.sender_clock import estimate

pytestmark = pytest.mark.django_db
URL = "/api/analytics/customers"


def push_hourly(api, sender, offset_hours: int, pushes: int = 8) -> None:
    """One push every hour at :20, stamped with the PC's hour (`date +%H`) as if it were UTC."""
    start = datetime(2026, 12, 1, 6, 20, tzinfo=UTC)
    for n in range(pushes):
        now = start + timedelta(hours=n)
        stamped = (now + timedelta(hours=offset_hours)).replace(minute=0)
        with freeze_time(now):
            body = {"entered": 5, "exited": 4, "timestamp": stamped.strftime("%Y-%m-%dT%H:00")}
            assert api(sender).post(URL, body, format="json").status_code in (200, 201)


def test_a_pc_on_istanbul_time_sending_it_as_utc_is_flagged_plus_three(api, sender_a, viewer_a, store_a, client):
    push_hourly(api, sender_a, offset_hours=3)
    clock = api(viewer_a).get(f"/api/stores/{store_a.pk}/health").json()["sender_clock"]
    assert clock["flagged"] is True
    assert clock["offset"] == "+03:00"
    assert "+03:00" in clock["message"]
    client.force_login(viewer_a)
    assert 'id="sender-clock"' in client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()


def test_a_right_clock_is_not_flagged(api, sender_a, viewer_a, store_a, client):
    push_hourly(api, sender_a, offset_hours=0)
    clock = api(viewer_a).get(f"/api/stores/{store_a.pk}/health").json()["sender_clock"]
    assert (clock["flagged"], clock["offset"]) == (False, "+00:00")
    client.force_login(viewer_a)
    assert 'id="sender-clock"' not in client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()


def test_the_console_store_list_names_the_offset(api, sender_a, brand_admin_a, store_a, client):
    push_hourly(api, sender_a, offset_hours=3)
    client.force_login(brand_admin_a)
    assert "+03:00" in client.get("/admin/stores/store/").content.decode()


def test_too_few_pushes_say_nothing_yet(api, sender_a, viewer_a, store_a):
    push_hourly(api, sender_a, offset_hours=3, pushes=3)
    clock = api(viewer_a).get(f"/api/stores/{store_a.pk}/health").json()["sender_clock"]
    assert (clock["flagged"], clock["offset"], clock["samples"]) == (False, "", 3)


@pytest.mark.parametrize(
    ("samples", "offset", "flagged"),
    [
        ([-20] * 8, "+00:00", False),  # right clock, running hour
        ([-80] * 8, "-01:00", False),  # right clock, posting the hour that just ended
        ([160] * 8, "+03:00", True),  # Istanbul time as UTC
        ([310] * 8, "+05:30", True),  # India: half-hour zones exist
        ([-320] * 8, "-05:00", True),  # New York time as UTC
        ([160, 160, 160, -20, -20, -20, -20, -20], "+00:00", False),  # not consistent
    ],
)
def test_estimate(samples, offset, flagged):
    result = estimate(samples)
    assert (result["offset"], result["flagged"]) == (offset, flagged)
