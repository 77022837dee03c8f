"""Kept camera documents are compressed (``devices.compression``): every body comes back exactly,
documents kept with zlib's default window still decode, and a push stays a few dozen bytes."""

from __future__ import annotations

import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from devices import compression
from tests.devices.conftest import sample


def test_every_sample_comes_back_exactly_and_small():
    for name in ("metrics", "rtmetrics", "diags"):
        body = sample(name)
        stored, encoding = compression.encode(body)
        assert encoding == compression.ZLIB_V1
        assert compression.decode(stored, encoding) == body
        assert len(stored) < len(body) / 8, (name, len(stored), len(body))


def test_a_large_document_past_the_window_comes_back_exactly():
    """A thousand counts (~90 KB) is far past the 8 KiB window: still exact, still compressed."""
    body = sample("metrics")
    head, _, tail = body.partition(b"<Count ")
    count = b"<Count " + tail.split(b"/>", 1)[0] + b"/>"
    big = head + count * 1000 + b"</Object></Report></ReportData></Metrics>"
    stored, encoding = compression.encode(big)
    assert compression.decode(stored, encoding) == big
    assert len(stored) < len(big) / 20


def test_documents_kept_with_the_default_window_still_decode():
    """What earlier releases stored (zlib's defaults: 32 KiB window, memLevel 8)."""
    body = sample("rtmetrics")
    old = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, zdict=compression._DICTIONARY_V1)
    stored = old.compress(body) + old.flush()
    assert compression.decode(stored, compression.ZLIB_V1) == body


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=20_000))
def test_any_bytes_come_back_exactly(body):
    stored, encoding = compression.encode(body)
    assert compression.decode(memoryview(stored), encoding) == body
