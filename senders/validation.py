"""Client-side validation: the same rules and messages as the panel's serializers (SPEC §3).

The panel refuses a bad payload with ``{"errors": {field: [messages]}}``. Checking here first
means a typo is caught on the store PC (exit code 2) instead of being spooled or half-sent,
and the messages read exactly like the panel's. This module mirrors
``analytics/api/serializers.py`` and ``stores/api/serializers.py`` without importing Django;
``tests/senders/test_validation_parity.py`` keeps the two in step.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, DecimalException
from typing import Any, Callable, Dict, List
from urllib.parse import urlsplit

Errors = Dict[str, List[str]]  # typing aliases: evaluated at import, and Python 3.8 has no dict[...]

MAX_BATCH = 1000
MAX_COUNT = 2**31 - 1
MAX_SECONDS = 10**7
MAX_STRING_LENGTH = 1000  # DRF's guard against huge numeric strings
ENVELOPE_KEYS = frozenset({"store", "timestamp", "username", "password"})
DEMOGRAPHIC_FIELDS = ("male_count", "female_count", "age_18_30", "age_30_50", "age_50_plus")
MAX_FUTURE = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
RTSP_SCHEMES = {"rtsp", "rtsps", "http", "https"}
CAMERA_TYPES = {
    "kişi sayım": "people_count",
    "kisi sayim": "people_count",
    "people_count": "people_count",
    "ısı haritası": "heatmap",
    "isı haritası": "heatmap",
    "isi haritasi": "heatmap",
    "heatmap": "heatmap",
    "kuyruk": "queue",
    "queue": "queue",
}

REQUIRED = "This field is required."
NULL = "This field may not be null."
_DECIMAL_TAIL = re.compile(r"\.0*\s*$")
_MISSING = object()


class FieldError(ValueError):
    """One or more messages for one field (DRF runs every validator and lists each failure)."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0])
        self.messages = list(messages)


def utc_hour(now: datetime | None = None) -> datetime:
    """The start of the current UTC hour (what the panel assumes for a missing timestamp)."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def format_hour(moment: datetime) -> str:
    """The seed's timestamp format: ``YYYY-MM-DDTHH:00`` in UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:00")


# --- field rules (DRF CharField, IntegerField, FloatField and the panel's HourField) ---------


def char(max_length: int, allow_blank: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value == "" or str(value).strip() == "":
            if not allow_blank:
                raise FieldError("This field may not be blank.")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise FieldError("Not a valid string.")
        text = str(value).strip()
        problems = []
        if len(text) > max_length:
            problems.append(f"Ensure this field has no more than {max_length} characters.")
        if "\x00" in text:
            problems.append("Null characters are not allowed.")
        surrogate = next((ch for ch in text if 0xD800 <= ord(ch) <= 0xDFFF), None)
        if surrogate is not None:
            problems.append(f"Surrogate characters are not allowed: U+{ord(surrogate):X}.")
        if problems:
            raise FieldError(*problems)
        return text

    return check


def count(value: Any) -> int:
    """An integer 0 … 2³¹−1; ``"5"`` and ``5.0`` pass as DRF lets them, ``5.5`` and ``true`` do not."""
    if isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise FieldError("String value too large.")
    try:
        number = int(_DECIMAL_TAIL.sub("", str(value)))
    except (ValueError, TypeError):
        raise FieldError("A valid integer is required.") from None
    if number > MAX_COUNT:
        raise FieldError(f"Ensure this value is less than or equal to {MAX_COUNT}.")
    if number < 0:
        raise FieldError("Ensure this value is greater than or equal to 0.")
    return number


def seconds(value: Any) -> float:
    """A finite number 0 … 10⁷ (``intensity``, ``wait_time``)."""
    if isinstance(value, bool):
        raise FieldError("A valid number is required.")
    if isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise FieldError("String value too large.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError("A valid number is required.") from None
    except OverflowError:
        raise FieldError("Integer value too large to convert to float") from None
    if not math.isfinite(number):
        raise FieldError("A valid number is required.")
    if number > MAX_SECONDS:
        raise FieldError(f"Ensure this value is less than or equal to {MAX_SECONDS}.")
    if number < 0:
        raise FieldError("Ensure this value is greater than or equal to 0.")
    return number


def hour(value: Any, now: datetime | None = None) -> datetime:
    """``YYYY-MM-DDTHH:00`` (UTC) or any ISO 8601 time with an hour; at most a day ahead."""
    now = now or datetime.now(timezone.utc)
    if not isinstance(value, str):
        raise FieldError("Must be a string like 2026-02-16T14:00.")
    text = value.strip()
    if len(text) < 13 or text[10] not in "T ":
        raise FieldError("Must include the hour, like 2026-02-16T14:00.")
    try:
        moment = _fromisoformat(text)
    except ValueError:
        raise FieldError("Not an ISO 8601 date and time (expected 2026-02-16T14:00).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if moment < EARLIEST:
        raise FieldError("Is before the year 2000.")
    if moment > now + MAX_FUTURE:
        raise FieldError("Is more than a day in the future.")
    return moment.replace(minute=0, second=0, microsecond=0)


_OFFSET_WITHOUT_COLON = re.compile(r"([+-][0-9]{2})([0-9]{2})$")


def _fromisoformat(text: str) -> datetime:
    """``datetime.fromisoformat`` as Python 3.11 reads it, for the forms store AIs write.

    Before 3.11 it refuses a ``Z`` suffix and ``+0300`` offsets, which the panel (3.11+) takes;
    the client must not refuse on a store PC's Python what the panel would accept.
    """
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        return datetime.fromisoformat(_OFFSET_WITHOUT_COLON.sub(r"\1:\2", text))


# --- record rules -----------------------------------------------------------------------------

Rule = Callable[[Any], Any]


def _check_fields(record: dict, rules: dict[str, tuple[Rule, bool]]) -> tuple[dict, Errors]:
    """Run each field's rule like DRF: required, not null, then the field's own checks."""
    values, errors = {}, {}
    for name, (rule, required) in rules.items():
        value = record.get(name, _MISSING)
        if value is _MISSING:
            if required:
                errors[name] = [REQUIRED]
            continue
        if value is None:
            errors[name] = [NULL]
            continue
        try:
            values[name] = rule(value)
        except FieldError as exc:
            errors[name] = exc.messages
    return values, errors


def _strict(record: Any, rules: dict[str, tuple[Rule, bool]], now: datetime | None) -> tuple[dict, Errors]:
    if not isinstance(record, dict):
        return {}, {"non_field_errors": ["Expected a JSON object."]}
    rules = {"store": (char(64), False), "timestamp": (lambda v: hour(v, now), False), **rules}
    unknown = set(record) - set(rules) - ENVELOPE_KEYS
    if unknown:
        return {}, {key: ["Unknown field."] for key in sorted(unknown)}
    return _check_fields(record, rules)


def _optional_camera_id() -> tuple[Rule, bool]:
    return char(100, allow_blank=True), False


CUSTOMER_RULES: dict[str, tuple[Rule, bool]] = {
    "camera_id": _optional_camera_id(),
    **{name: (count, False) for name in ("entered", "exited", "customers_inside", *DEMOGRAPHIC_FIELDS)},
}
HEATMAP_RULES: dict[str, tuple[Rule, bool]] = {
    "zone": (char(120), True),
    "visitor_count": (count, True),
    "intensity": (seconds, True),
    "camera_id": _optional_camera_id(),
}
QUEUE_RULES: dict[str, tuple[Rule, bool]] = {
    "cashier_id": (char(120), True),
    "total_customers": (count, True),
    "wait_time": (seconds, True),
}


MAX_REVENUE_DIGITS, REVENUE_PLACES = 14, 2
MAX_REVENUE = Decimal("999999999999.99")
_CURRENCY = re.compile(r"^[A-Za-z]{3}\Z")


def revenue(value: Any) -> Decimal:
    """A decimal 0 … 999,999,999,999.99 with at most two decimal places (DRF's DecimalField)."""
    invalid = FieldError("A valid number is required.")
    if isinstance(value, bool):
        raise invalid
    text = str(value).strip()
    if isinstance(value, str) and not (value.isascii() and "_" not in value):
        raise invalid
    if len(text) > MAX_STRING_LENGTH:
        raise FieldError("String value too large.")
    try:
        number = Decimal(text)
    except DecimalException:
        raise invalid from None
    if number.is_nan() or number.is_infinite():
        raise invalid
    _sign, digits, exponent = number.as_tuple()
    if exponent >= 0:
        total, whole, places = len(digits) + exponent, len(digits) + exponent, 0
    elif len(digits) > abs(exponent):
        total, whole, places = len(digits), len(digits) - abs(exponent), abs(exponent)
    else:
        total, whole, places = abs(exponent), 0, abs(exponent)
    if total > MAX_REVENUE_DIGITS:
        raise FieldError(f"Ensure that there are no more than {MAX_REVENUE_DIGITS} digits in total.")
    if places > REVENUE_PLACES:
        raise FieldError(f"Ensure that there are no more than {REVENUE_PLACES} decimal places.")
    if whole > MAX_REVENUE_DIGITS - REVENUE_PLACES:
        raise FieldError(
            f"Ensure that there are no more than {MAX_REVENUE_DIGITS - REVENUE_PLACES} digits before the decimal point."
        )
    number = number.quantize(Decimal("0.01"))
    if number < 0:
        raise FieldError("Ensure this value is greater than or equal to 0.")
    if number > MAX_REVENUE:
        raise FieldError(f"Ensure this value is less than or equal to {MAX_REVENUE}.")
    return number


def currency(value: Any) -> str:
    """Three letters (ISO 4217); the panel compares them with the store's currency."""
    problems = []
    try:
        text = char(3)(value)
    except FieldError as exc:
        if exc.messages == ["Not a valid string."] or exc.messages == ["This field may not be blank."]:
            raise
        problems, text = exc.messages, str(value).strip()
    if not _CURRENCY.match(text):
        problems.append("This value does not match the required pattern.")
    if problems:
        raise FieldError(*problems)
    return text.upper()


SALES_RULES: dict[str, tuple[Rule, bool]] = {
    "transactions": (count, True),
    "revenue": (revenue, True),
    "items": (count, False),
    "till": (char(100, allow_blank=True), False),
    "currency": (currency, False),
}


def sales_errors(record: Any, now: datetime | None = None) -> Errors:
    """Till totals of one hour (issue 19): revenue in the store's currency, none without a sale."""
    values, errors = _strict(record, SALES_RULES, now)
    if errors:
        return errors
    if values["transactions"] == 0 and values["revenue"] != 0:
        return {"revenue": ["Revenue without transactions: send transactions > 0."]}
    return {}


def customers_errors(record: Any, now: datetime | None = None) -> Errors:
    """Seed §2 and §3: entered/exited with at least one > 0, or demographics only."""
    values, errors = _strict(record, CUSTOMER_RULES, now)
    if errors:
        return errors
    has_flow = "entered" in values or "exited" in values
    if has_flow and not (values.get("entered", 0) > 0 or values.get("exited", 0) > 0):
        return {"entered": ["At least one of entered or exited must be greater than 0."]}
    if not has_flow and not any(field in values for field in DEMOGRAPHIC_FIELDS):
        return {"entered": ["Send entered/exited, or at least one demographic field (male_count, age_18_30, ...)."]}
    return {}


def heatmap_errors(record: Any, now: datetime | None = None) -> Errors:
    return _strict(record, HEATMAP_RULES, now)[1]


def queue_errors(record: Any, now: datetime | None = None) -> Errors:
    return _strict(record, QUEUE_RULES, now)[1]


def batch_errors(body: Any, record_errors: Callable[[Any], Errors]) -> Errors:
    """One object, or an array of 1 … 1,000 objects whose errors are prefixed ``<index>.``."""
    if isinstance(body, list):
        if not body:
            return {"non_field_errors": ["An empty batch has nothing to store."]}
        if len(body) > MAX_BATCH:
            return {"non_field_errors": [f"A batch may hold at most {MAX_BATCH} records."]}
        errors: Errors = {}
        for index, record in enumerate(body):
            errors.update({f"{index}.{key}": messages for key, messages in record_errors(record).items()})
        return errors
    if isinstance(body, dict):
        return record_errors(body)
    return {"non_field_errors": ["Expected a JSON object or an array of objects."]}


# --- setup ------------------------------------------------------------------------------------


def _camera_type(value: Any) -> str:
    label = char(40)(value)
    kind = CAMERA_TYPES.get(label.strip().casefold())
    if kind is None:
        raise FieldError("Use one of: Kişi Sayım, people_count, Isı Haritası, heatmap, queue.")
    return kind


def _stream_address(value: Any) -> str:
    text = char(500, allow_blank=True)(value)
    if text:
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            raise FieldError("Not a valid stream address.") from None
        if parts.scheme not in RTSP_SCHEMES or not host:
            raise FieldError("Must look like rtsp://host/path.")
    return text


def snapshot_check(text: str) -> None:
    """Base64 of a JPEG or PNG. The panel also decodes the image; this checks what it can cheaply."""
    if "," in text[:100] and text.lstrip().startswith("data:"):
        text = text.split(",", 1)[1]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError("Not valid base64.") from None
    if not (raw.startswith(b"\xff\xd8\xff") or raw.startswith(b"\x89PNG\r\n\x1a\n")):
        raise FieldError("Not a readable JPEG or PNG image.")


def _snapshot(value: Any) -> Any:
    if value == "" or (isinstance(value, (str, int, float)) and str(value).strip() == ""):
        return None
    text = char(10**9, allow_blank=True)(value)
    snapshot_check(text)
    return text


CAMERA_RULES: dict[str, tuple[Rule, bool]] = {
    "name": (char(160), True),
    "type": (_camera_type, True),
    "rtsp": (_stream_address, True),
}


def _camera_errors(camera: Any) -> tuple[dict, Errors]:
    if not isinstance(camera, dict):
        return {}, {"": [f"Invalid data. Expected a dictionary, but got {type(camera).__name__}."]}
    values, errors = _check_fields(camera, CAMERA_RULES)
    snapshot = camera.get("snapshot")
    if snapshot is not None:
        try:
            _snapshot(snapshot)
        except FieldError as exc:
            errors["snapshot"] = exc.messages
    return values, errors


def setup_errors(payload: Any) -> Errors:
    """Seed §6: ``site_name`` and ``cameras[]`` (name, type, rtsp, snapshot?); names unique."""
    if not isinstance(payload, dict):
        return {"non_field_errors": ["Expected a JSON object."]}
    values, errors = _check_fields(payload, {"site_name": (char(200), True), "store": (char(64), False)})
    cameras = payload.get("cameras", _MISSING)
    if cameras is _MISSING:
        errors["cameras"] = [REQUIRED]
    elif cameras is None:
        errors["cameras"] = [NULL]
    elif not isinstance(cameras, list):
        errors["cameras"] = [f'Expected a list of items but got type "{type(cameras).__name__}".']
    elif len(cameras) > 200:
        errors["cameras"] = ["Ensure this field has no more than 200 elements."]
    else:
        names, camera_problems = [], {}
        for index, camera in enumerate(cameras):
            camera_values, camera_errors = _camera_errors(camera)
            names.append(camera_values.get("name"))
            for key, messages in camera_errors.items():
                camera_problems[f"cameras.{index}.{key}" if key else f"cameras.{index}"] = messages
        if camera_problems:
            errors.update(camera_problems)
        else:
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                errors["cameras"] = [f"Camera names must be unique; repeated: {', '.join(repeated)}."]
    return errors
