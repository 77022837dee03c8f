"""Parser for the counter's JSON files: a list of ``{"ID", "inOut", "time", "frameNumber"}``.

Pure functions (no database): the file is untrusted, so every item is checked. A file that is
unusable as a whole (not UTF-8, not JSON, not a list) is a ``ParseError``; within a list, each
bad item is set aside with its position and reason and the good ones are kept (``parse_file``),
as the counter's own program stored what it could and reported the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TIME_FORMAT = "%Y%m%d%H%M%S"
# PostgreSQL bigint bounds: a larger number would fail at insert time, after the parse.
BIGINT_MAX = 2**63 - 1


class ParseError(ValueError):
    """The file is not a valid event list; the message says where and why."""


@dataclass(frozen=True)
class RejectedRecord:
    """One item of the list that is not a valid event: where it is, why, and what it held."""

    index: int
    reason: str
    record: object  # the item as JSON decoded it, for the report beside the file


@dataclass(frozen=True)
class ParsedEvent:
    person_id: int
    in_out: int
    time: datetime  # aware, UTC
    frame_number: int


def _reject_constant(name: str) -> float:
    raise ParseError(f"{name} is not a number JSON allows")


def _int_field(item: dict, key: str, index: int) -> int:
    if key not in item:
        raise ParseError(f"item {index}: {key} is missing")
    value = item[key]
    # bool is an int subclass in Python; true/false are not ids.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"item {index}: {key} must be an integer, got {type(value).__name__}")
    if not 0 <= value <= BIGINT_MAX:
        raise ParseError(f"item {index}: {key} must be between 0 and {BIGINT_MAX}")
    return value


def parse_local_time(value: object, tz: ZoneInfo, index: int) -> datetime:
    """``YYYYMMDDHHMMSS`` in site-local time → aware UTC (the earlier reading of a DST fold)."""
    # isdigit() alone takes "٢٠٢٤…" (other scripts' digits), which strptime would read as 2024.
    if not isinstance(value, str) or len(value) != 14 or not (value.isascii() and value.isdigit()):
        raise ParseError(f"item {index}: time must be a YYYYMMDDHHMMSS string")
    try:
        naive = datetime.strptime(value, TIME_FORMAT)  # noqa: DTZ007 - made aware on the next line
    except ValueError as exc:
        raise ParseError(f"item {index}: time {value!r} is not a valid date and time") from exc
    try:
        return naive.replace(tzinfo=tz).astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise ParseError(f"item {index}: time {value!r} is outside the representable range in UTC") from exc


def _decode(raw: bytes) -> list:
    """The file's list; ``ParseError`` when the file is unusable as a whole."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ParseError("malformed JSON: nested too deeply") from exc
    except ParseError:  # NaN / Infinity, from _reject_constant
        raise
    except ValueError as exc:  # an integer longer than Python's str→int digit limit
        raise ParseError(f"malformed JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ParseError(f"the file must hold a JSON list, got {type(data).__name__}")
    return data


def _parse_item(item: object, index: int, tz: ZoneInfo) -> ParsedEvent:
    if not isinstance(item, dict):
        raise ParseError(f"item {index}: must be an object, got {type(item).__name__}")
    in_out = _int_field(item, "inOut", index)
    if in_out not in (0, 1, 2):
        raise ParseError(f"item {index}: inOut must be 0, 1 or 2, got {in_out}")
    if "time" not in item:
        raise ParseError(f"item {index}: time is missing")
    return ParsedEvent(
        person_id=_int_field(item, "ID", index),
        in_out=in_out,
        time=parse_local_time(item["time"], tz, index),
        frame_number=_int_field(item, "frameNumber", index),
    )


def parse_file(raw: bytes, tz: ZoneInfo) -> tuple[list[ParsedEvent], list[RejectedRecord]]:
    """The valid events of one file and its bad items, each with its reason.

    Raises ``ParseError`` only when the file as a whole is unusable; a bad item never costs the
    file's good ones (the counter's program stored what it could: no valid event is lost).
    """
    events: list[ParsedEvent] = []
    rejects: list[RejectedRecord] = []
    for index, item in enumerate(_decode(raw)):
        try:
            events.append(_parse_item(item, index, tz))
        except ParseError as exc:
            rejects.append(RejectedRecord(index=index, reason=str(exc), record=item))
    return events, rejects


def parse_events(raw: bytes, tz: ZoneInfo) -> list[ParsedEvent]:
    """Strict: every item valid, else ``ParseError`` naming the first bad one (tools and tests)."""
    events, rejects = parse_file(raw, tz)
    if rejects:
        raise ParseError(rejects[0].reason)
    return events
