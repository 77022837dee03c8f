"""Query parameters of the read API: a date range in the store's time zone and a granularity."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework.exceptions import ValidationError

from stores.reporting import ReportRange

GRANULARITIES = ("hour", "day")
MAX_RANGE_DAYS = 400
# No data is older than the sender's earliest timestamp (2000); the bounds also keep every
# derived day (the previous period of a comparison, local midnight in UTC) a valid datetime,
# where 0001-01-01 or 9999-12-31 overflow once shifted by a zone or a period.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def _parse_day(raw: str | None, field: str, default: date) -> date:
    if raw in (None, ""):
        return default
    try:
        day = date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: ["Use a date in the form YYYY-MM-DD."]}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError({field: [f"Must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."]})
    return day


def parse_report_range(params, tz_name: str) -> ReportRange:
    """Read ``from``, ``to`` (inclusive local dates, default today) and ``granularity``."""
    tz = ZoneInfo(tz_name)
    today = timezone.now().astimezone(tz).date()
    first = _parse_day(params.get("from"), "from", today)
    last = _parse_day(params.get("to"), "to", first if params.get("from") else today)
    granularity = params.get("granularity") or "hour"
    errors: dict[str, list[str]] = {}
    if granularity not in GRANULARITIES:
        errors["granularity"] = [f"Choose one of: {', '.join(GRANULARITIES)}."]
    if last < first:
        errors["to"] = ["Must not be before 'from'."]
    elif (last - first).days >= MAX_RANGE_DAYS:
        errors["to"] = [f"A range may span at most {MAX_RANGE_DAYS} days."]
    if errors:
        raise ValidationError(errors)
    return ReportRange(tz=tz, first_day=first, last_day=last, granularity=granularity)
