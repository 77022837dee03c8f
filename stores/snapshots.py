"""Camera snapshots arrive as base64 text; only a real, bounded image is kept."""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png"}
MAX_PIXELS = 40_000_000  # a 4K frame is 8.3 M; anything far above is a decompression bomb


class SnapshotError(ValueError):
    pass


def decode_snapshot(text: str) -> tuple[bytes, str]:
    """Return the image bytes and file extension, or raise ``SnapshotError`` with the reason."""
    if "," in text[:100] and text.lstrip().startswith("data:"):
        text = text.split(",", 1)[1]  # accept data URIs from browser-based tools
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SnapshotError("Not valid base64.") from None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            fmt = image.format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise SnapshotError("Image is too large.")
            image.verify()
    except SnapshotError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SnapshotError("Not a readable JPEG or PNG image.") from None
    if fmt not in ALLOWED_FORMATS:
        raise SnapshotError("Only JPEG and PNG snapshots are accepted.")
    return raw, ALLOWED_FORMATS[fmt]
