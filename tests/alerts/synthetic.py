"""Synthetic hourly histories for a store open 10:00-22:00 local time (Istanbul, UTC+3)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Europe/Istanbul")
OPEN, CLOSE = 10, 22
# A Monday 18:30 local; the judged window is the 24 complete hours before it.
NOW = datetime(2026, 2, 16, 18, 30, tzinfo=IST).astimezone(UTC)


def curve(local_hour: int) -> int:
    """Visitors a normal hour brings: a midday and an evening peak, 20-60."""
    return {10: 20, 11: 30, 12: 45, 13: 50, 14: 40, 15: 35, 16: 40, 17: 50, 18: 60, 19: 55, 20: 40, 21: 25}[local_hour]


def utc_hour(day, local_hour: int, tz=IST) -> datetime:
    return datetime.combine(day, time(local_hour), tzinfo=tz).astimezone(UTC)


def history(weeks: int = 6, now: datetime = NOW, noise: int = 0, seed: int = 1, closed_rows: bool = True) -> dict:
    """``{UTC hour: count}`` for every hour from ``weeks`` weeks before ``now`` up to ``now``.

    Open hours follow ``curve`` (± ``noise``), closed hours are stored as 0 (counters push
    zero-count intervals) unless ``closed_rows`` is false.
    """
    rng = random.Random(seed)
    series = {}
    hour = (now - timedelta(weeks=weeks, days=1)).replace(minute=0, second=0, microsecond=0)
    while hour + timedelta(hours=1) <= now:
        local = hour.astimezone(IST).hour
        if OPEN <= local < CLOSE:
            series[hour] = max(0, curve(local) + rng.randint(-noise, noise))
        elif closed_rows:
            series[hour] = 0
        hour += timedelta(hours=1)
    return series


def last_open_hours(n: int, now: datetime = NOW) -> list[datetime]:
    """UTC starts of the last ``n`` complete open hours before ``now``, oldest first."""
    hours = []
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    while len(hours) < n:
        if OPEN <= hour.astimezone(IST).hour < CLOSE:
            hours.append(hour)
        hour -= timedelta(hours=1)
    return hours[::-1]
