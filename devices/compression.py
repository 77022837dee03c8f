"""How kept camera documents are stored: zlib with a preset dictionary of the vendor's XML.

Why: a real-time camera pushes its current minute ~17 times a minute, so kept documents are the
largest table by far (~1.3 KB each as sent). Plain zlib on a document that small saves ~60 %;
seeded with a dictionary of the same family's element and attribute names it saves ~95 % (a
1,356-byte RTMetrics becomes ~60 bytes), because almost every byte of one push is already in the
dictionary. The dictionary is frozen: a document names the encoding it was written with, and
``body_dictionary_v1.xml`` must never change (a new dictionary is a new encoding name).
"""

from __future__ import annotations

import zlib
from pathlib import Path

RAW = ""
ZLIB_V1 = "zlib-v1"
ENCODINGS = (RAW, ZLIB_V1)
_DICTIONARY_V1 = (Path(__file__).with_name("body_dictionary_v1.xml")).read_bytes()
_LEVEL = 6
# An 8 KiB window and a smaller hash (zlib's defaults are 32 KiB and memLevel 8): a push and the
# 3.4 KB dictionary fit in it, and setting up zlib's ~256 KB of default state was most of the
# ~85 µs a push's compression took (~15 µs now, ~48 KB, the same size out for a push). ``decode``
# reads either: a zlib stream names its window, so documents kept with the defaults stay readable.
_WINDOW_BITS = 13
_MEM_LEVEL = 5


# A compressor with the dictionary already set, copied for each document: setting the 3.4 KB
# dictionary hashes all of it (~3 of a push's ~9 µs of compression); a copy of the primed state
# gives the same bytes out. Never used itself, so threads may copy it at once.
_PRIMED = zlib.compressobj(
    _LEVEL, zlib.DEFLATED, _WINDOW_BITS, _MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, zdict=_DICTIONARY_V1
)


def encode(body: bytes) -> tuple[bytes, str]:
    """``body`` compressed for storage, and the encoding to store beside it."""
    compressor = _PRIMED.copy()
    return compressor.compress(body) + compressor.flush(), ZLIB_V1


def decode(stored: bytes | memoryview, encoding: str) -> bytes:
    """The document as it was kept (redacted, as received otherwise) from its stored form."""
    data = bytes(stored)
    if encoding == RAW:
        return data
    if encoding == ZLIB_V1:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS, zdict=_DICTIONARY_V1)
        return decompressor.decompress(data) + decompressor.flush()
    raise ValueError(f"Unknown body encoding {encoding!r}.")
