"""Frame wire format (SPEC §5): a msgpack map per WebSocket message → numpy image → PNG.

Never called from the receive loop: decoding and PNG encoding happen after the recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import msgpack
import numpy as np

ENCODINGS = ("rgb8", "bgr8", "mono8", "mono16", "jpeg")
BYTES_PER_PIXEL = {"rgb8": 3, "bgr8": 3, "mono8": 1, "mono16": 2}
MAX_SIDE = 16384


class FrameError(ValueError):
    """A message that is not a valid frame: counted and skipped."""


@dataclass
class Frame:
    camera_id: str
    seq: int
    ts: float
    width: int
    height: int
    encoding: str
    image: np.ndarray  # OpenCV order: BGR for colour, uint16 for mono16


def pack_frame(camera_id: str, seq: int, ts: float, width: int, height: int, encoding: str, data: bytes) -> bytes:
    """The wire format, as cameras (and the simulator) send it."""
    return msgpack.packb(
        {
            "camera_id": camera_id,
            "seq": seq,
            "ts": ts,
            "width": width,
            "height": height,
            "encoding": encoding,
            "data": data,
        },
        use_bin_type=True,
    )


def _int(meta: dict[str, Any], key: str, low: int, high: int) -> int:
    value = meta.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FrameError(f"{key} must be an integer in [{low}, {high}], got {value!r}")
    return value


def decode_frame(raw: bytes) -> Frame:
    """Parse and check one message; FrameError on anything malformed."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise FrameError("text message instead of a binary frame")
    try:
        meta = msgpack.unpackb(raw, raw=False)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise FrameError(f"not msgpack: {exc}") from exc
    if not isinstance(meta, dict):
        raise FrameError("msgpack payload is not a map")
    camera_id = meta.get("camera_id")
    if not isinstance(camera_id, str):
        raise FrameError("camera_id missing")
    seq = _int(meta, "seq", 0, 2**63 - 1)
    width = _int(meta, "width", 1, MAX_SIDE)
    height = _int(meta, "height", 1, MAX_SIDE)
    ts = meta.get("ts")
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        raise FrameError("ts must be a number")
    encoding = meta.get("encoding")
    if encoding not in ENCODINGS:
        raise FrameError(f"unknown encoding {encoding!r}")
    data = meta.get("data")
    if not isinstance(data, bytes):
        raise FrameError("data must be binary")
    return Frame(camera_id, seq, float(ts), width, height, encoding, _to_image(data, width, height, encoding))


def _to_image(data: bytes, width: int, height: int, encoding: str) -> np.ndarray:
    if encoding == "jpeg":
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
        if image is None or image.shape[:2] != (height, width):
            raise FrameError(f"JPEG does not decode to {width}x{height}")
        return image
    expected = width * height * BYTES_PER_PIXEL[encoding]
    if len(data) != expected:
        raise FrameError(f"{encoding} {width}x{height} needs {expected} bytes, got {len(data)}")
    if encoding == "mono16":
        return np.frombuffer(data, dtype="<u2").reshape(height, width)
    if encoding == "mono8":
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width)
    image = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if encoding == "rgb8" else image


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes; uint16 images stay 16-bit (OpenCV: ~7x faster than Pillow here)."""
    ok, buffer = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise FrameError("PNG encoding failed")
    return buffer.tobytes()
