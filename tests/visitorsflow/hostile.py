"""Hypothesis strategies for files no counter should write: each one must end in failed/.

Every strategy is hostile by construction (not filtered after the fact), so a test that sees
one of them ingested has found a real hole, not a lucky valid example.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

MAX_FILE_BYTES = 4096  # the tests set VISITORSFLOW_MAX_FILE_BYTES to this
GOOD_ITEM = {"ID": 1, "inOut": 0, "time": "20240501101825", "frameNumber": 1}
BOM = b"\xef\xbb\xbf"


def _events(*items: dict) -> bytes:
    return json.dumps(list(items)).encode()


def _with(field: str, raw_value: str) -> bytes:
    """A one-item list whose ``field`` is the raw JSON text ``raw_value``.

    Alone in its file: with a good item beside it the file is partial (the good item stored,
    this one reported; tests/visitorsflow/test_partial_files.py), here it must be refused whole.
    """
    item = {**GOOD_ITEM, field: "__VALUE__"}
    return _events(item).replace(b'"__VALUE__"', raw_value.encode("utf-8", "surrogatepass"))


deep_nesting = st.integers(min_value=2, max_value=30_000).flatmap(
    lambda depth: st.sampled_from(
        [
            b"[" * depth + b"]" * depth,  # a list of lists: not events, and past ~1000 a RecursionError
            b"[" * depth,  # unbalanced
            b'[{"ID":' * depth + b"1" + b"}]" * depth,
        ]
    )
)

huge_numbers = st.sampled_from(["ID", "inOut", "frameNumber"]).flatmap(
    lambda field: st.one_of(
        st.integers(min_value=2**63, max_value=10**400).map(str),
        st.integers(max_value=-1).map(str),
        st.integers(min_value=4301, max_value=6000).map(lambda n: "9" * n),  # over Python's int digit limit
        st.sampled_from(["1e400", "-1e400", "1.5", "1e2", "-0.0", "NaN", "Infinity", "-Infinity"]),
    ).map(lambda raw: _with(field, raw))
)

_BAD_STAMPS = st.one_of(
    # 0001-01-01 before 01:55:52 overflows in UTC (Istanbul's offset before 1880 was +1:55:52).
    st.sampled_from(["00010101000000", "00010101010000", "20241301101825", "20240230101825", "20240501246000"]),
    st.sampled_from(["20240501106099", "00000101000000", "2024050110182", "202405011018250", ""]),
    st.text(alphabet="0123456789", min_size=14, max_size=14).filter(lambda s: not _valid_stamp(s)),
    st.text(alphabet="٠١٢٣٤٥٦٧٨٩۰۱۲", min_size=14, max_size=14),  # other scripts' digits
    st.text(min_size=0, max_size=20).filter(lambda s: not (len(s) == 14 and s.isascii() and s.isdigit())),
)


def _valid_stamp(stamp: str) -> bool:
    from datetime import datetime

    try:
        datetime.strptime(stamp, "%Y%m%d%H%M%S")  # noqa: DTZ007 - only asks "is it a date"
    except ValueError:
        return False
    return True


bad_dates = _BAD_STAMPS.map(lambda stamp: _with("time", json.dumps(stamp)))

_json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)
wrong_types = st.one_of(
    st.tuples(st.sampled_from(["ID", "inOut", "time", "frameNumber"]), _json_values).map(
        lambda pair: _with(pair[0], json.dumps(pair[1]))
    ),
    st.sampled_from(["ID", "inOut", "time", "frameNumber"]).map(
        lambda field: _events({k: v for k, v in GOOD_ITEM.items() if k != field})
    ),
    _json_values.filter(lambda v: not isinstance(v, list)).map(lambda v: json.dumps(v).encode()),
    st.lists(_json_values.filter(lambda v: not isinstance(v, dict)), min_size=1, max_size=3).map(
        lambda items: json.dumps(items).encode()
    ),
)

binary_junk = st.binary(max_size=300).map(lambda junk: b"\x00" + junk)  # NUL first: never JSON
empty = st.sampled_from([b"", b" ", b"\n\r\t ", BOM, BOM + b"  "])
huge = st.integers(min_value=1, max_value=2000).map(lambda extra: b"[]" + b" " * (MAX_FILE_BYTES + extra))
invalid_utf8 = st.sampled_from([b"\xc3\x28", b"\xa0\xa1", b"\xff", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]).map(
    lambda bad: _events(GOOD_ITEM).replace(b'"20240501101825"', b'"2024' + bad + b'"')
)
boms = st.sampled_from(
    [
        BOM + BOM + _events(GOOD_ITEM),  # one BOM is allowed, a second is text
        b"\xff\xfe" + json.dumps([GOOD_ITEM]).encode("utf-16-le"),  # UTF-16
        b"\xfe\xff" + json.dumps([GOOD_ITEM]).encode("utf-16-be"),
        BOM + b"{",
    ]
)
nul_bytes = st.integers(min_value=0, max_value=len(_events(GOOD_ITEM))).map(
    lambda at: _events(GOOD_ITEM)[:at] + b"\x00" + _events(GOOD_ITEM)[at:]
)
bad_json = (
    st.text(alphabet='[]{}",:0123456789 truefalsn', max_size=40)
    .filter(lambda text: not _is_valid(text))
    .map(lambda text: text.encode())
)


def _is_valid(text: str) -> bool:
    """Only an empty list can be a valid file in bad_json's alphabet (no letters for "ID")."""
    try:
        return json.loads(text) == []
    except ValueError:
        return False


hostile_content = st.one_of(
    deep_nesting,
    huge_numbers,
    bad_dates,
    wrong_types,
    binary_junk,
    empty,
    huge,
    invalid_utf8,
    boms,
    nul_bytes,
    bad_json,
)

# Names a share may hand us: not UTF-8, spaces, newlines (log lines), long, non-Latin.
hostile_names = st.sampled_from(
    [b"plain", b"\xff\xfe-not-utf8", b"with space", b"new\nline", b"x" * 200, "時間".encode(), b"%s%n"]
)
