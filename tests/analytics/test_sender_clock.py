"""The sender clock flag (issue 14 item 3): a store PC stamping local time as UTC is flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from analytics.sender_clock import estimate

START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def push_hourly(api, sender, shift_hours: int, pushes: int = 8) -> None:
    """A store PC that pushes every 40 minutes, stamping its clock's hour (``date +%H``) as UTC."""
    for n in range(pushes):
        moment = START + timedelta(minutes=40 * n + 7)
        with freeze_time(moment):
            stamped = (moment + timedelta(hours=shift_hours)).strftime("%Y-%m-%dT%H:00")
            response = api(sender).post(
                "/api/analytics/customers", {"timestamp": stamped, "entered": 1, "exited": 0}, format="json"
            )
            assert response.status_code in (200, 201), response.content


def clock(api, user, store) -> dict:
    response = api(user).get(f"/api/stores/{store.pk}/health")
    assert response.status_code == 200
    return response.json()["sender_clock"]


def test_local_time_sent_as_utc_is_flagged_with_its_offset(api, sender_a, viewer_a, brand_admin_a, client, store_a):
    push_hourly(api, sender_a, shift_hours=3)
    flag = clock(api, viewer_a, store_a)
    assert (flag["flagged"], flag["offset"], flag["offset_minutes"], flag["samples"]) == (True, "+03:00", 180, 8)
    assert flag["message"] == "+03:00 — sender clock looks like local time sent as UTC"
    client.force_login(brand_admin_a)
    assert flag["message"] in client.get(f"/dashboard/stores/{store_a.pk}/").content.decode()
    assert flag["message"] in client.get("/admin/stores/store/").content.decode()


def test_a_right_clock_is_not_flagged(api, sender_a, viewer_a, brand_admin_a, client, store_a):
    push_hourly(api, sender_a, shift_hours=0)
    flag = clock(api, viewer_a, store_a)
    assert (flag["flagged"], flag["offset"], flag["message"]) == (False, "+00:00", "")
    client.force_login(brand_admin_a)
    assert "sender clock looks like" not in client.get("/admin/stores/store/").content.decode()


def test_too_few_or_scattered_samples_are_not_flagged():
    assert estimate([150] * 5)["flagged"] is False  # five pushes are not "consistently"
    assert estimate([150] * 6)["offset"] == "+03:00" and estimate([150] * 6)["flagged"] is True
    assert estimate([-90] * 12)["flagged"] is False  # the hour just ended, posted after it: right
    assert estimate([-330] * 12)["offset"] == "-05:00" and estimate([-330] * 12)["flagged"] is True
    assert estimate([300] * 12)["offset"] == "+05:30"
    assert estimate([150, -30, 400, -500, 600, 20, -200, 800])["flagged"] is False  # a backfill, not a clock


def test_the_flag_stays_in_its_tenant(api, sender_a, viewer_b, store_a, store_b):
    push_hourly(api, sender_a, shift_hours=3)
    assert clock(api, viewer_b, store_b) == {
        "samples": 0,
        "offset_minutes": None,
        "offset": "",
        "flagged": False,
        "message": "",
    }
    assert api(viewer_b).get(f"/api/stores/{store_a.pk}/health").status_code == 404
