"""Anomaly maths on synthetic histories: expected values per weekday and local hour, flags, runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts import anomalies
from alerts.anomalies import BLOCKED, UNUSUAL, check_hours, expectation, findings, same_slot_hours, window
from tests.alerts.synthetic import IST, NOW, history, last_open_hours, utc_hour


def run(series, now=NOW):
    return findings("camera:CAM-1", "Door", check_hours(series, IST, window(now)))


def test_expectation_is_median_and_scaled_mad_with_a_poisson_floor():
    assert expectation([40, 42, 38, 41, 39, 40]) == anomalies.Expectation(40.0, pytest.approx(6.3245, abs=1e-3), 6)
    wide = expectation([10, 40, 70, 40, 40, 100])
    assert (wide.median, wide.spread) == (40.0, pytest.approx(1.4826 * 15))
    assert expectation([0, 0, 0]).spread == 1.0  # never below 1
    assert expectation([1, 2]).open is False  # too few weeks to know
    assert expectation([3, 4, 4]).open is False  # a quiet slot is not an open hour
    assert expectation([5, 6, 5]).open is True


def test_a_normal_day_with_noise_flags_nothing():
    assert run(history(noise=6)) == []


def test_same_slot_keeps_the_local_hour_across_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    # Monday 6 April 2026 11:00 CEST (09:00 UTC); before 29 March it was CET (10:00 UTC).
    hour = datetime(2026, 4, 6, 11, tzinfo=berlin).astimezone(UTC)
    slots = same_slot_hours(hour, berlin, weeks=4)
    assert [s.astimezone(berlin).hour for s in slots] == [11, 11, 11, 11]
    assert [s.astimezone(berlin).weekday() for s in slots] == [0, 0, 0, 0]
    assert slots[0] - slots[-1] == timedelta(weeks=3) - timedelta(hours=1)  # the clocks went forward in between


def test_blocked_counter_is_one_ongoing_blocked_finding():
    series = history(noise=5)
    blocked = last_open_hours(4)
    for hour in blocked:
        series[hour] = 0

    [finding] = run(series)

    assert (finding.level, finding.ongoing, len(finding.hours)) == (BLOCKED, True, 4)
    assert [check.hour for check in finding.hours] == blocked
    assert finding.counted == 0
    # 14:00-18:00 local usually bring 40 + 35 + 40 + 50
    assert finding.expected == pytest.approx(165, abs=8)
    assert (finding.start, finding.end) == (blocked[0], blocked[-1] + timedelta(hours=1))


def test_outliers_in_the_history_do_not_move_the_expectation():
    series = history(noise=3)
    # a broken week (all zero) and a sale week (triple) four and two weeks ago
    for hour in list(series):
        age = NOW - hour
        if timedelta(weeks=4) <= age < timedelta(weeks=4, days=1):
            series[hour] = 0
        elif timedelta(weeks=2) <= age < timedelta(weeks=2, days=1):
            series[hour] *= 3
    assert run(series) == []
    for hour in last_open_hours(3):
        series[hour] = 0
    [finding] = run(series)
    assert (finding.level, finding.ongoing) == (BLOCKED, True)


def test_holiday_like_single_low_hour_is_unusual_not_blocked():
    series = history(noise=3)
    one = last_open_hours(5)[0]
    series[one] = 0
    [finding] = run(series)
    assert (finding.level, finding.ongoing, [c.hour for c in finding.hours]) == (UNUSUAL, False, [one])
    assert finding.direction == "low"


def test_two_zero_hours_are_not_enough_to_call_a_counter_blocked():
    series = history(noise=3)
    for hour in last_open_hours(2):
        series[hour] = 0
    [finding] = run(series)
    assert (finding.level, finding.ongoing, len(finding.hours)) == (UNUSUAL, False, 2)


def test_a_crowded_hour_is_unusually_high():
    series = history(noise=3)
    hour = last_open_hours(3)[1]
    series[hour] = 400
    [finding] = run(series)
    assert (finding.level, finding.direction, finding.hours[0].count) == (UNUSUAL, "high", 400)
    assert finding.hours[0].score > anomalies.Z_LIMIT


def test_closed_hours_bridge_a_blocked_run_and_are_never_judged():
    # Tuesday 11:30 local: judged window runs from Monday 11:00; the lens was covered at 20:00 Monday.
    now = datetime(2026, 2, 17, 11, 30, tzinfo=IST).astimezone(UTC)
    series = history(now=now, noise=3)
    covered = [utc_hour(datetime(2026, 2, 16).date(), h) for h in (20, 21)] + [
        utc_hour(datetime(2026, 2, 17).date(), 10)
    ]
    for hour in covered:
        series[hour] = 0
    [finding] = run(series, now)
    assert (finding.level, finding.ongoing, [c.hour for c in finding.hours]) == (BLOCKED, True, covered)
    # the night's zeros were stored but are closed hours: not judged
    checks = check_hours(series, IST, window(now))
    assert all(10 <= c.hour.astimezone(IST).hour < 22 for c in checks)


def test_recovered_counter_leaves_a_past_blocked_finding_that_is_not_ongoing():
    series = history(noise=3)
    hours = last_open_hours(5)
    for hour in hours[:3]:
        series[hour] = 0
    [finding] = run(series)
    assert (finding.level, finding.ongoing) == (BLOCKED, False)


def test_hours_without_a_row_are_not_judged_and_a_young_store_has_no_expectation():
    series = history(noise=3)
    for hour in last_open_hours(4):
        del series[hour]  # silent, not blocked: another alert
    assert run(series) == []
    young = history(weeks=2, noise=3)
    for hour in last_open_hours(4):
        young[hour] = 0
    assert run(young) == []  # two weeks of history: no slot has the three samples it needs
