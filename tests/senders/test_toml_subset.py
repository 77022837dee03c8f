"""The built-in TOML reader (Pythons without tomllib) must mean exactly what tomllib means.

Property: for any text, ``toml_subset.loads`` either raises ``TOMLDecodeError`` or returns what
``tomllib.loads`` returns; it never accepts what tomllib refuses and never raises anything else.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from senders import toml_subset

EXAMPLE = Path(__file__).resolve().parents[2] / "senders" / "examples" / "store.toml"


def test_the_documented_example_reads_the_same():
    text = EXAMPLE.read_text("utf-8")
    assert toml_subset.loads(text) == tomllib.loads(text)
    assert toml_subset.loads(text)["hourly"]["zones"] == ["erkek-giyim", "kadin-giyim", "aksesuar"]


@pytest.mark.parametrize(
    "text",
    [
        '[panel]\nurl = "https://panel.example.com"  # trailing comment\npassword = "p\\"w\\u011f\\\\"\n',
        "[panel]\ntimeout = 15\nretries = 0\nratio = 1.5e3\nneg = -2\nbig = 1_000\n",
        "[hourly]\nzones = [\n  'erkek giyim',  # a comment inside\n  \"kadın\",\n]\ncashiers = []\n",
        "[a]\n[a.b]\nx = true\ny = false\n",
        "\ufeff[panel]\r\nurl = 'http://x'\r\n"[1:],
        "top = 1\n[panel]\n",
    ],
)
def test_supported_forms(text):
    assert toml_subset.loads(text) == tomllib.loads(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[panel]\nurl = """x"""\n', "multi-line strings are not supported"),
        ("[panel]\nopts = {a = 1}\n", "inline tables are not supported"),
        ("[[stores]]\nname = 'x'\n", "arrays of tables"),
        ("[panel]\nwhen = 2026-02-16\n", "dates and times are not supported"),
        ('[panel]\n"quoted" = 1\n', "quoted keys are not supported"),
        ("[panel]\na.b = 1\n", "dotted keys are not supported"),
    ],
)
def test_valid_toml_beyond_the_subset_names_the_way_out(text, fragment):
    tomllib.loads(text)  # valid TOML...
    with pytest.raises(toml_subset.TOMLDecodeError) as caught:
        toml_subset.loads(text)  # ...that this reader declines, saying what to install
    assert fragment in str(caught.value)
    assert "pip install tomli" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "[panel]\nurl = \n",
        "[panel]\nurl = 'x\n",
        "[panel]\nurl = 'x' 'y'\n",
        "[panel]\na = 1\na = 2\n",
        "[panel]\n[panel]\n",
        "a = 1\n[a]\n",
        "[panel\n",
        "[panel]\nx = 01\n",
        "[panel]\nx = 1.\n",
        "[panel]\nx = [1 2]\n",
        '[panel]\nx = "\\q"\n',
        '[panel]\nx = "\\ud800"\n',
        "= 1\n",
    ],
)
def test_broken_toml_is_refused_like_tomllib(text):
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    with pytest.raises(toml_subset.TOMLDecodeError):
        toml_subset.loads(text)


def test_an_error_says_where():
    with pytest.raises(toml_subset.TOMLDecodeError, match=r"line 3"):
        toml_subset.loads("[panel]\nurl = 'x'\nretries = nope\n")


keys = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4))
tables = st.dictionaries(keys, st.dictionaries(keys, values, max_size=4), max_size=3)


def dump_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def dump_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return dump_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(dump_value(v) for v in value) + "]"
    return repr(value)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_generated_configs_read_like_tomllib(document):
    text = "".join(
        f"[{name}]  # table\n" + "".join(f"{k} = {dump_value(v)}\n" for k, v in table.items())
        for name, table in document.items()
    )
    assert toml_subset.loads(text) == tomllib.loads(text)


ALPHABET = st.sampled_from(list("[]=\"'#.,-_+ \t\nabz019eE\\u{}") + ["true", "false", "\r\n", "ğ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_never_accepts_what_tomllib_refuses(text):
    try:
        ours = toml_subset.loads(text)
    except toml_subset.TOMLDecodeError:
        return
    assert ours == tomllib.loads(text)
