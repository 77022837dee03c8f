"""JSON from strangers: parsed only when every value is one the rest of the system can hold.

Python's ``json`` accepts things that fail later, far from the input and as a 500: nesting deep
enough to raise ``RecursionError`` (in the parser itself or in any recursive code after it),
lone surrogates (``"\\ud800"``, which no UTF-8 encoder — PostgreSQL's, the log's — can write),
NUL characters (PostgreSQL text and jsonb refuse them), ``1e400`` (parsed as ``inf``) and
integers past 64 bits (no database column holds them). This module refuses all of them up
front and names where each one was, so a client sees ``{"requests.0.args.x": [reason]}``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Deeper than anything the API's bodies need (process-request is 5 levels), shallow enough
# that every recursive walker afterwards (serializers, jsonb encoding) stays far from the limit.
MAX_DEPTH = 32
# Integers beyond a signed 64-bit column are no count, position or id any client sends.
MAX_INT = 2**63 - 1
BODY = "body"

# Strings are skipped whole (brackets inside them do not nest); only brackets are counted.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnsafeJSON(ValueError):
    """The text is not acceptable JSON; ``errors`` maps a field path (or ``body``) to reasons."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class _OutOfRange(str):
    """A number the parser hooks kept as text, so the walk can report where it was."""


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects in ``text`` nest deeper than ``limit``; stops at the first excess."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _float(text: str) -> float | _OutOfRange:
    value = float(text)
    return value if math.isfinite(value) else _OutOfRange(text)


def _int(text: str) -> int | _OutOfRange:
    # Python refuses to convert more than 4,300 digits (a ValueError): no need to try.
    if len(text.lstrip("-")) > 19:
        return _OutOfRange(text)
    value = int(text)
    return value if -MAX_INT - 1 <= value <= MAX_INT else _OutOfRange(text)


def _refuse_constant(name: str) -> Any:
    raise UnsafeJSON({BODY: [f"{name} is not a JSON number."]})


def _string_problem(value: str) -> str | None:
    match = _UNSTORABLE.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return "Text may not contain NUL characters."
    return "Text may not contain lone UTF-16 surrogates (\\ud800-\\udfff)."


def _walk(value: Any, path: str, errors: dict[str, list[str]]) -> None:
    here = path or BODY
    if isinstance(value, _OutOfRange):
        errors.setdefault(here, []).append(f"The number {value[:40]} is out of range.")
    elif isinstance(value, str):
        problem = _string_problem(value)
        if problem:
            errors.setdefault(here, []).append(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _string_problem(key)
            if problem:
                errors.setdefault(here, []).append(problem.replace("Text may", "Keys may", 1))
                continue
            _walk(item, f"{path}.{key}" if path else key, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), errors)


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` or raise ``UnsafeJSON`` naming every unacceptable value by its path.

    ``ValueError`` (malformed JSON) passes through as such; callers already answer it.
    """
    if nesting_depth_exceeds(text, max_depth):
        raise UnsafeJSON({BODY: [f"JSON nested deeper than {max_depth} levels."]})
    data = json.loads(text, parse_float=_float, parse_int=_int, parse_constant=_refuse_constant)
    errors: dict[str, list[str]] = {}
    _walk(data, "", errors)
    if errors:
        raise UnsafeJSON(errors)
    return data
