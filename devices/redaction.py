"""Secrets out of kept camera documents: ``*Password``/``*Passwd`` values are blanked before storage.

HX-CCD21 V2.1 firmwares put ``<WifiSSID>`` and ``<WifiPassword>`` into every push's
``<Properties>``, and the raw body is kept for inspection (shown in the console) and replay.
The values of every element or attribute whose name ends in ``Password`` or ``Passwd``
(case-insensitive, any prefix: ``WifiPassword``, ``adminPasswd``, ``ftp:Password``) are replaced
by ``REDACTED`` on the bytes as received, so the rest of the document stays byte-identical
(what the camera sent is what replay parses). Documents in UTF-16/UTF-32 are redacted in
their own encoding. When a parse of the result still finds a secret (a value the byte rules
could not reach, e.g. split by a comment), the document is kept as the redacted tree
re-serialised instead: losing byte identity is better than keeping a password.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

REDACTED = "REDACTED"
_SECRET_NAME = r"[\w.:-]*?(?:password|passwd)"
# <XPassword ...>value</XPassword>: the text (and CDATA sections) up to the next tag.
_ELEMENT = re.compile(
    rf"(<(?P<name>{_SECRET_NAME})(?:\s[^<>]*?)?(?<!/)>)(?P<value>(?:[^<]|<!\[CDATA\[.*?\]\]>)*)",
    re.IGNORECASE | re.DOTALL,
)
# XPassword="value" inside a tag (either quote; a value cannot hold its own quote or '<').
_ATTRIBUTE = re.compile(
    rf"""(?P<head>[\s"'](?P<name>{_SECRET_NAME})\s*=\s*)(?P<quote>["'])(?P<value>[^"'<]*?)(?P=quote)""",
    re.IGNORECASE,
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False, collect_ids=False
)


def _is_secret(name: str) -> bool:
    local = name.rsplit("}", 1)[-1].lower()
    return local.endswith(("password", "passwd"))


def _redact_text(text: str) -> str:
    text = _ELEMENT.sub(lambda m: m.group(1) + (REDACTED if m.group("value") else ""), text)
    return _ATTRIBUTE.sub(
        lambda m: f"{m.group('head')}{m.group('quote')}{REDACTED if m.group('value') else ''}{m.group('quote')}", text
    )


def _wide_encoding(body: bytes) -> tuple[str, bytes] | None:
    """(codec, BOM) of a UTF-16/UTF-32 body, from its BOM or its zero bytes around '<'."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, bom
    for prefix, codec in (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(prefix):
            return codec, b""
    return None


def _leftover_secrets(body: bytes) -> etree._Element | None:
    """The parsed tree when it still holds a secret value other than ``REDACTED``, else ``None``."""
    try:
        root = etree.fromstring(body.lstrip(b" \t\r\n"), _PARSER)
    except (etree.LxmlError, ValueError, LookupError):
        return None  # not XML: the byte rules above are all that can apply
    found = False
    for element in list(root.iter(etree.Element)):
        if _is_secret(element.tag) and "".join(element.itertext()).strip() not in ("", REDACTED):
            for child in list(element):
                element.remove(child)  # a secret split into child elements goes with them
            element.text = REDACTED
            found = True
        for name, value in element.attrib.items():
            if _is_secret(name) and value not in ("", REDACTED):
                element.set(name, REDACTED)
                found = True
    return root if found else None


def redact_secrets(body: bytes) -> bytes:
    """``body`` with every password value replaced by ``REDACTED``; the other bytes as they were."""
    lowered = body.lower()
    wide = _wide_encoding(body)
    if wide is None and b"passw" not in lowered:
        return body  # the hot path: nothing to look at
    if wide is not None:
        codec, bom = wide
        try:
            text = body[len(bom) :].decode(codec)
        except UnicodeDecodeError:
            text = None
        redacted = bom + _redact_text(text).encode(codec) if text is not None else body
    else:
        # latin-1 maps every byte to one character and back: works for UTF-8 and every ASCII superset.
        redacted = _redact_text(body.decode("latin-1")).encode("latin-1")
    leftover = _leftover_secrets(redacted)
    if leftover is not None:
        redacted = etree.tostring(leftover.getroottree(), xml_declaration=True, encoding="utf-8")
    return redacted
