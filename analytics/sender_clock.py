"""Is the store PC's clock right? A rolling estimate of the offset its sender stamps hours with.

The seed's shell loops stamp ``timestamp`` with ``date +%H`` on the store PC: on a PC set to
local time that is the local hour sent as UTC, and every hour lands hours away from when it
happened, with nothing refusing it (a stamp up to a day ahead is accepted, SPEC §3).

Each push gives one sample per store: ``stamped − received`` in minutes, where ``stamped`` is
the newest hour the push stamped for the store and ``received`` the time the server got it. A
right clock pushing the running hour gives −60 < sample ≤ 0 (about −30 on average), one pushing
the hour just ended −120 < sample ≤ −60. A PC that sends local time as UTC at offset ``Z``
gives the same shifted by ``Z``. The last ``SAMPLES`` samples are kept per store (one statement
per push, ``SenderClock``); samples more than 15 hours away (no time zone is: a backfill or a
replayed spool, not a clock) are not kept.

The estimate is ``median(samples) + 30`` minutes rounded to the nearest half hour (half-hour
zones exist: India +05:30). The store is **flagged** when:

- at least ``MIN_SAMPLES`` samples are kept,
- at least two thirds of them lie within 45 minutes of the estimate (consistently, not a burst
  of late uploads), and
- the estimate is ≥ +1:00 or ≤ −1:30. A right sender that posts each hour after it ended
  looks one hour late (−1:00), so −1:00 is not flagged; a PC at UTC−1 (the Azores) cannot be
  told from it and is missed. Everything from −0:30 to +0:30 is a right clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from analytics.models import SenderClock
from stores.models import Store

SAMPLES = 12
MIN_SAMPLES = 6
MAX_SAMPLE_MINUTES = 15 * 60
CONSISTENT_WITHIN = 45
FLAG_AHEAD = 60  # estimates ≥ +1:00 are flagged
FLAG_BEHIND = -90  # estimates ≤ −1:30 are flagged (−1:00 is a sender posting the hour just ended)

# One statement per store and push: append, keep the newest SAMPLES. The table name and the
# constant are this module's; every value is a parameter.
_RECORD_SQL = f"""
INSERT INTO analytics_senderclock AS c (store_id, samples, updated_at) VALUES (%s, ARRAY[%s]::integer[], %s)
ON CONFLICT (store_id) DO UPDATE SET
    samples = (c.samples || EXCLUDED.samples)[greatest(1, cardinality(c.samples) + 2 - {SAMPLES}):],
    updated_at = EXCLUDED.updated_at
"""  # noqa: S608


def sample_minutes(stamped_hour: datetime, received_at: datetime) -> int:
    return round((stamped_hour - received_at).total_seconds() / 60)


def record_push(hours_by_store: dict[int, Iterable[datetime]], received_at: datetime) -> None:
    """Add one sample per store of a push (its newest stamped hour against ``received_at``).

    Run as the last statement of the ingest transaction: the row lock it takes lasts only until
    that commits, so concurrent pushes of one store barely wait on each other.
    """
    with connection.cursor() as cursor:
        for store_id, hours in hours_by_store.items():
            sample = sample_minutes(max(hours), received_at)
            if abs(sample) <= MAX_SAMPLE_MINUTES:
                cursor.execute(_RECORD_SQL, [store_id, sample, received_at])


def format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def estimate(samples: list[int]) -> dict[str, Any]:
    """``{"samples", "offset_minutes", "offset", "flagged", "message"}`` from kept samples.

    ``offset_minutes``/``offset`` are the estimate (None/"" with too few samples); ``flagged``
    says the sender's clock looks like local time sent as UTC (module docstring), and
    ``message`` says so in words ("" when not flagged).
    """
    result: dict[str, Any] = {
        "samples": len(samples),
        "offset_minutes": None,
        "offset": "",
        "flagged": False,
        "message": "",
    }
    if len(samples) < MIN_SAMPLES:
        return result
    offset = round((statistics.median(samples) + 30) / 30) * 30
    near = sum(1 for sample in samples if abs(sample + 30 - offset) <= CONSISTENT_WITHIN)
    consistent = near * 3 >= len(samples) * 2
    result["offset_minutes"] = offset
    result["offset"] = format_offset(offset)
    if consistent and (offset >= FLAG_AHEAD or offset <= FLAG_BEHIND):
        result["flagged"] = True
        result["message"] = _("%(offset)s — sender clock looks like local time sent as UTC") % {
            "offset": result["offset"]
        }
    return result


def sender_clock(store: Store, now: datetime | None = None) -> dict[str, Any]:
    """The estimate for one store (``/health``'s ``sender_clock``, the dashboard, the console)."""
    samples = SenderClock.objects.filter(store=store).values_list("samples", flat=True).first()
    return estimate(list(samples or []))


def store_note(store: Store, now: datetime) -> str:
    """The console's store-list warning: the flag's message, or ""."""
    return sender_clock(store, now)["message"]
