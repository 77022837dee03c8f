"""Report periods shared by every read of stored data (read API, dashboards, exports).

Ranges are whole local days of a store; the database holds UTC. Domain code (selectors) uses
these; the API layer only parses query parameters into them (``stores/api/params.py``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class ReportRange:
    """``[start_utc, end_utc)`` covering whole local days ``first_day``..``last_day``."""

    tz: ZoneInfo
    first_day: date
    last_day: date
    granularity: str

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.tz).astimezone(ZoneInfo("UTC"))

    @property
    def end_utc(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.tz).astimezone(ZoneInfo("UTC"))


def ceil_hour(moment: datetime) -> datetime:
    """The first whole hour at or after ``moment`` (hourly rows are stored at whole UTC hours)."""
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


def group_by_window(windows: dict[int, Window]) -> dict[Window, list[int]]:
    """``{(start, end): [store ids]}``: one query per distinct window instead of per store."""
    groups: dict[Window, list[int]] = defaultdict(list)
    for store_id, window in windows.items():
        groups[window].append(store_id)
    return groups
