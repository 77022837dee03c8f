"""The sender timestamp: ``YYYY-MM-DDTHH:00`` in UTC, or any ISO 8601 form, to the hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

# Clocks drift and stores mislabel local time as UTC; a day ahead is clearly garbage.
MAX_FUTURE = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class TimestampError(ValueError):
    pass


def parse_hour(value: object, *, now: datetime | None = None) -> datetime:
    """Return the UTC hour start of ``value``; naive values are UTC (as the seed says)."""
    now = now or timezone.now()
    if value is None:
        return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if not isinstance(value, str):
        raise TimestampError("Must be a string like 2026-02-16T14:00.")
    text = value.strip()
    if len(text) < 13 or text[10] not in "T ":
        raise TimestampError("Must include the hour, like 2026-02-16T14:00.")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimestampError("Not an ISO 8601 date and time (expected 2026-02-16T14:00).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00 or 9999-12-31T23:00-01:00: a valid text whose UTC is no date.
        raise TimestampError("Is outside the representable range of dates.") from None
    if moment < EARLIEST:
        raise TimestampError("Is before the year 2000.")
    if moment > now + MAX_FUTURE:
        raise TimestampError("Is more than a day in the future.")
    return moment.replace(minute=0, second=0, microsecond=0)
