"""Per-second records (HX-CCD21 ``Interval="0"``) folded into one row per minute.

People counts (``devices.services``) and camera demographics (``devices.demographics``) keep a
minute's seconds the same way: a ``{second: [values..., transmit µs]}`` map on the minute row, so
storage stays one row per minute and a re-push of the same seconds never doubles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class MinuteRow(Protocol):
    seconds: dict[str, list[int]] | None
    transmit_time: datetime


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def latest_transmit(slots: Mapping[str, list[int]]) -> datetime:
    """The newest ``TransmitTime`` among a minute's slots (each slot's last value)."""
    return EPOCH + max(slot[-1] for slot in slots.values()) * MICROSECOND


def fold_seconds(
    base: MinuteRow | None,
    seconds: Mapping[int, Any],
    transmit_time: datetime,
    slot_values: Callable[[Any], list[int]],
) -> tuple[dict[str, list[int]], int] | None:
    """The minute's second slots after this document, and how many of its seconds were applied.

    The supersede rule per second: a slot is replaced only by a push whose ``TransmitTime`` is
    >= the slot's, so a re-push of the same seconds never doubles and a late, older one changes
    nothing. A minute the camera reported whole (no slots) is kept unless these seconds are
    newer than it; then they start the minute over (the newest push of a minute wins).
    ``slot_values(record)`` is what a slot keeps before its stamp. ``None`` when nothing changes.
    """
    if base is None:
        slots: dict[str, list[int]] = {}
    elif base.seconds is None:
        if base.transmit_time > transmit_time:
            return None
        slots = {}
    else:
        slots = {key: list(value) for key, value in base.seconds.items()}
    stamp = micros(transmit_time)
    applied = 0
    for second, record in seconds.items():
        slot = slots.get(str(second))
        if slot is not None and slot[-1] > stamp:
            continue
        slots[str(second)] = [*slot_values(record), stamp]
        applied += 1
    return (slots, applied) if applied else None
