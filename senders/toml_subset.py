"""A small TOML reader for Pythons without ``tomllib`` (3.8-3.10) and without ``tomli``.

Store PCs often run an older Python and have nothing installed (issue 18). The sender's config
file (``senders/examples/store.toml``) needs only a few parts of TOML: ``[tables]``, bare keys,
strings, numbers, booleans and arrays of those. This reads exactly that and refuses everything
else with a message naming the way out (``pip install tomli`` or Python 3.11+), so a config that
parses here means the same to ``tomllib``. Same interface as ``tomllib``: ``load``, ``loads``,
``TOMLDecodeError``.
"""

from __future__ import annotations

import re
from typing import IO, Any

UNSUPPORTED = "not supported by the sender's built-in TOML reader (pip install tomli, or use Python 3.11+)"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INTEGER = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)")
_FLOAT = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}:[0-9]{2}")


class TOMLDecodeError(ValueError):
    """The text is not TOML, or uses a part of TOML this reader does not implement."""


def load(handle: IO[bytes]) -> dict[str, Any]:
    data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TOMLDecodeError("the file is not UTF-8 text") from None
    return loads(text)


def loads(text: str) -> dict[str, Any]:
    return _Parser(text).document()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.line = 1

    # --- plumbing --------------------------------------------------------------------------

    def error(self, message: str) -> TOMLDecodeError:
        return TOMLDecodeError(f"{message} (line {self.line})")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + count)
        self.pos += count

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.advance()

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            end = len(self.text) if end < 0 else end
            comment = self.text[self.pos + 1 : end]
            if any(ord(ch) < 32 and ch != "\t" or ch == "\x7f" for ch in comment):
                raise self.error("control character in a comment")
            self.advance(end - self.pos)

    def end_of_line(self) -> None:
        self.skip_spaces()
        self.skip_comment()
        if self.peek() not in ("\n", ""):
            raise self.error(f"unexpected {self.peek()!r} after a value")
        if self.peek():
            self.advance()

    # --- grammar -----------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        root: dict[str, Any] = {}
        table = root
        defined: set = set()
        while self.pos < len(self.text):
            self.skip_spaces()
            char = self.peek()
            if char in ("#", "\n", ""):
                self.end_of_line()
            elif char == "[":
                table = self.table_header(root, defined)
            else:
                key = self.key()
                self.skip_spaces()
                if self.peek() != "=":
                    raise self.error(f"expected '=' after {key!r}")
                self.advance()
                self.skip_spaces()
                if key in table:
                    raise self.error(f"{key!r} is defined twice")
                table[key] = self.value()
                self.end_of_line()
        return root

    def table_header(self, root: dict[str, Any], defined: set) -> dict[str, Any]:
        self.advance()
        if self.peek() == "[":
            raise self.error(f"arrays of tables ([[...]]) are {UNSUPPORTED}")
        self.skip_spaces()
        path: list[str] = [self.key(dotted_ok=True)]
        self.skip_spaces()
        while self.peek() == ".":
            self.advance()
            self.skip_spaces()
            path.append(self.key(dotted_ok=True))
            self.skip_spaces()
        if self.peek() != "]":
            raise self.error("expected ']' to close the table name")
        self.advance()
        name = tuple(path)
        if name in defined:
            raise self.error(f"table [{'.'.join(path)}] is defined twice")
        defined.add(name)
        table = root
        for part in path:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise self.error(f"{part!r} is already a value, not a table")
        self.end_of_line()
        return table

    def key(self, dotted_ok: bool = False) -> str:
        if self.peek() in ('"', "'"):
            raise self.error(f"quoted keys are {UNSUPPORTED}")
        match = _BARE_KEY.match(self.text, self.pos)
        if not match:
            raise self.error(f"expected a key, found {self.peek()!r}" if self.peek() else "expected a key")
        self.advance(match.end() - self.pos)
        if self.peek() == "." and not dotted_ok:
            raise self.error(f"dotted keys are {UNSUPPORTED}")
        return match.group()

    def value(self) -> Any:
        char = self.peek()
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        if char == "[":
            return self.array()
        if char == "{":
            raise self.error(f"inline tables are {UNSUPPORTED}")
        for word, result in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.advance(len(word))
                return result
        return self.number()

    def basic_string(self) -> str:
        if self.text.startswith('"""', self.pos):
            raise self.error(f"multi-line strings are {UNSUPPORTED}")
        self.advance()
        out: list[str] = []
        while True:
            char = self.peek()
            if char == "":
                raise self.error("unterminated string")
            if char == '"':
                self.advance()
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
                continue
            if char == "\n" or (ord(char) < 32 and char != "\t") or char == "\x7f":
                raise self.error("control character or line break inside a string")
            out.append(char)
            self.advance()

    def escape(self) -> str:
        code = self.text[self.pos + 1 : self.pos + 2]
        if code in _ESCAPES:
            self.advance(2)
            return _ESCAPES[code]
        if code in ("u", "U"):
            size = 4 if code == "u" else 8
            digits = self.text[self.pos + 2 : self.pos + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(f"bad \\{code} escape")
            number = int(digits, 16)
            if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
                raise self.error(f"\\{code}{digits} is not a Unicode scalar value")
            self.advance(2 + size)
            return chr(number)
        raise self.error(f"unknown escape \\{code}")

    def literal_string(self) -> str:
        if self.text.startswith("'''", self.pos):
            raise self.error(f"multi-line strings are {UNSUPPORTED}")
        end = self.text.find("'", self.pos + 1)
        newline = self.text.find("\n", self.pos + 1)
        if end < 0 or (0 <= newline < end):
            raise self.error("unterminated string")
        content = self.text[self.pos + 1 : end]
        if any((ord(ch) < 32 and ch != "\t") or ch == "\x7f" for ch in content):
            raise self.error("control character inside a string")
        self.advance(end + 1 - self.pos)
        return content

    def array(self) -> list[Any]:
        self.advance()
        items: list[Any] = []
        while True:
            self.blank_space()
            if self.peek() == "]":
                self.advance()
                return items
            items.append(self.value())
            self.blank_space()
            if self.peek() == ",":
                self.advance()
            elif self.peek() != "]":
                raise self.error("expected ',' or ']' in an array")

    def blank_space(self) -> None:
        """Spaces, line breaks and comments between array items."""
        while True:
            self.skip_spaces()
            self.skip_comment()
            if self.peek() != "\n":
                return
            self.advance()

    def number(self) -> Any:
        rest = self.text[self.pos :]
        if _DATE_LIKE.match(rest):
            raise self.error(f"dates and times are {UNSUPPORTED}")
        if rest[:2] in ("0x", "0o", "0b") or rest.lstrip("+-")[:3] in ("inf", "nan"):
            raise self.error(f"this number format is {UNSUPPORTED}")
        match = _FLOAT.match(rest)
        if not match or not match.group():
            found = rest[:1] or "the end of the file"
            raise self.error(f"expected a value, found {found!r}")
        literal = match.group()
        after = rest[len(literal) : len(literal) + 1]
        if after and (after.isalnum() or after in "._:-+"):
            raise self.error(f"bad value {rest.split()[0]!r}")
        self.advance(len(literal))
        clean = literal.replace("_", "")
        if _INTEGER.fullmatch(literal):
            return int(clean)
        return float(clean)
