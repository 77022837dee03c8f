"""Anomalies: each store's count sources against their own past, hour by hour.

The expected count of an hour is learned from the same source in the same store, on the same
weekday and local hour of the previous ``HISTORY_WEEKS`` weeks: the median of those samples,
with the median absolute deviation (MAD, scaled by 1.4826 to a standard deviation) as its
spread. Both ignore a minority of odd weeks (a holiday, a week of a broken counter), which a
mean and a standard deviation do not. The spread is never taken below √median (people arrive
independently: a count of ~n scatters by ~√n even in a perfectly regular store) or 1.

Definitions (what the tests hold):

- An hour is **open** when at least ``MIN_SAMPLES`` weeks have data for its slot and their
  median is at least ``OPEN_MEDIAN`` visitors. Opening hours are learned this way rather than
  read from ``Store.opening_hour`` (that is only where occupancy resets, not when the doors
  close), so late Thursdays and closed Sundays come out right by themselves. Closed hours are
  never judged.
- An open hour is **low** or **high** when its count lies more than ``Z_LIMIT`` spreads below
  or above the median, and **zero** when it is at most ``ZERO_RATIO`` of the median.
- A source is **blocked** (the online counter that counts nothing: a covered lens, a camera
  turned away) when ``BLOCKED_RUN`` or more consecutive open hours are zero and together the
  history expected at least ``BLOCKED_MIN_EXPECTED`` visitors in them. Closed hours between
  them do not break the run (a lens covered at 20:00 is still covered at 10:00). A blocked run
  that reaches the last judged open hour is **ongoing**: that is what alerts.
- Any other flagged hour is **unusual**: shown on the page (a holiday-like single low hour,
  a crowded sale hour), never alerted.

Hours for which a source stored nothing are not judged: a counter that sends nothing is
*silent*, a different alert (``alerts.sources``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

HISTORY_WEEKS = 6
MIN_SAMPLES = 3
OPEN_MEDIAN = 5.0
Z_LIMIT = 4.0
ZERO_RATIO = 0.1
BLOCKED_RUN = 3
BLOCKED_MIN_EXPECTED = 30.0
WINDOW_HOURS = 24
MAD_TO_SIGMA = 1.4826

NORMAL, LOW, HIGH, ZERO = "normal", "low", "high", "zero"
BLOCKED, UNUSUAL = "blocked", "unusual"


@dataclass(frozen=True)
class Expectation:
    """What the history says about one hour."""

    median: float
    spread: float
    samples: int

    @property
    def open(self) -> bool:
        return self.samples >= MIN_SAMPLES and self.median >= OPEN_MEDIAN


def expectation(samples: Sequence[float]) -> Expectation:
    """Median and robust spread of the samples (see the module docstring)."""
    if not samples:
        return Expectation(0.0, 1.0, 0)
    values = np.asarray(samples, dtype=float)
    median = float(np.median(values))
    mad = float(np.median(np.abs(values - median)))
    return Expectation(median, max(MAD_TO_SIGMA * mad, math.sqrt(median), 1.0), len(samples))


@dataclass(frozen=True)
class HourCheck:
    """One judged open hour."""

    hour: datetime  # UTC start
    count: int
    expected: Expectation
    level: str

    @property
    def score(self) -> float:
        return (self.count - self.expected.median) / self.expected.spread


def judge(count: int, expected: Expectation) -> str:
    if count <= ZERO_RATIO * expected.median:
        return ZERO
    score = (count - expected.median) / expected.spread
    if score <= -Z_LIMIT:
        return LOW
    if score >= Z_LIMIT:
        return HIGH
    return NORMAL


@dataclass
class Finding:
    """A stretch of flagged hours of one source: ``blocked`` (alerted when ongoing) or ``unusual``."""

    source: str
    label: str
    level: str
    hours: list[HourCheck] = field(default_factory=list)
    ongoing: bool = False

    @property
    def start(self) -> datetime:
        return self.hours[0].hour

    @property
    def end(self) -> datetime:
        return self.hours[-1].hour + timedelta(hours=1)

    @property
    def counted(self) -> int:
        return sum(check.count for check in self.hours)

    @property
    def expected(self) -> int:
        return round(sum(check.expected.median for check in self.hours))

    @property
    def direction(self) -> str:
        return HIGH if any(check.level == HIGH for check in self.hours) else LOW


def same_slot_hours(hour: datetime, tz: ZoneInfo, weeks: int = HISTORY_WEEKS) -> list[datetime]:
    """UTC starts of the same weekday and local hour in each of the previous ``weeks`` weeks
    (across a DST change the UTC hour moves; the local hour does not)."""
    local = hour.astimezone(tz)
    return [
        datetime.combine(local.date() - timedelta(weeks=k), time(local.hour), tzinfo=tz).astimezone(UTC)
        for k in range(1, weeks + 1)
    ]


def check_hours(series: Mapping[datetime, int], tz: ZoneInfo, hours: Sequence[datetime]) -> list[HourCheck]:
    """The open hours among ``hours`` that have a count, judged against their slot's history."""
    checks = []
    for hour in sorted(hours):
        if hour not in series:
            continue
        samples = [series[past] for past in same_slot_hours(hour, tz) if past in series]
        expected = expectation(samples)
        if expected.open:
            checks.append(HourCheck(hour, series[hour], expected, judge(series[hour], expected)))
    return checks


def findings(source: str, label: str, checks: Sequence[HourCheck]) -> list[Finding]:
    """Group consecutive flagged open hours into findings (module docstring: blocked, unusual)."""
    result: list[Finding] = []
    run: list[HourCheck] = []

    def close(run: list[HourCheck], ongoing: bool) -> None:
        if not run:
            return
        zeros = all(check.level == ZERO for check in run)
        expected = sum(check.expected.median for check in run)
        if zeros and len(run) >= BLOCKED_RUN and expected >= BLOCKED_MIN_EXPECTED:
            result.append(Finding(source, label, BLOCKED, list(run), ongoing))
        else:
            result.append(Finding(source, label, UNUSUAL, list(run), False))

    for check in checks:
        if check.level == NORMAL:
            close(run, ongoing=False)
            run = []
            continue
        # a zero run and a run of merely low or high hours are different stories
        if run and (run[-1].level == ZERO) != (check.level == ZERO):
            close(run, ongoing=False)
            run = []
        run.append(check)
    close(run, ongoing=True)
    return result


def window(now: datetime, hours: int = WINDOW_HOURS) -> list[datetime]:
    """UTC starts of the last ``hours`` complete hours before ``now``."""
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=k) for k in range(hours, 0, -1)]


def history_start(now: datetime, hours: int = WINDOW_HOURS, weeks: int = HISTORY_WEEKS) -> datetime:
    """The earliest hour a judgement of ``window(now)`` reads (a day of slack for DST shifts)."""
    return window(now, hours)[0] - timedelta(weeks=weeks, days=1)
