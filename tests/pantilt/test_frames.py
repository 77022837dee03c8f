"""Frame wire format: decode, reject malformed frames, PNG keeps 16-bit; the spill buffer."""

from __future__ import annotations

import cv2
import msgpack
import numpy as np
import pytest

from pantilt.buffer import FrameBuffer, MemoryBudget
from pantilt.frames import FrameError, decode_frame, encode_png, pack_frame
from pantilt.storage import sequence_gaps


def test_rgb8_is_converted_to_opencv_order():
    data = np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8).tobytes()  # red, blue
    frame = decode_frame(pack_frame("cam", 7, 1.5, 2, 1, "rgb8", data))
    assert (frame.camera_id, frame.seq, frame.ts, frame.width, frame.height) == ("cam", 7, 1.5, 2, 1)
    assert frame.image.tolist() == [[[0, 0, 255], [255, 0, 0]]]  # BGR


def test_mono16_png_round_trip_stays_16_bit():
    values = np.array([[0, 300], [40000, 65535]], dtype="<u2")
    frame = decode_frame(pack_frame("swir", 0, 0.0, 2, 2, "mono16", values.tobytes()))
    decoded = cv2.imdecode(np.frombuffer(encode_png(frame.image), np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.dtype == np.uint16
    assert decoded.tolist() == [[0, 300], [40000, 65535]]


def test_jpeg_and_mono8_decode():
    image = np.full((4, 6, 3), 128, dtype=np.uint8)
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    assert decode_frame(pack_frame("c", 1, 0.0, 6, 4, "jpeg", jpeg)).image.shape == (4, 6, 3)
    assert decode_frame(pack_frame("c", 1, 0.0, 3, 2, "mono8", bytes(6))).image.shape == (2, 3)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xc1garbage", "not msgpack"),
        (msgpack.packb([1, 2]), "not a map"),
        (pack_frame("c", 1, 0.0, 4, 4, "rgb8", bytes(47)), "rgb8 4x4 needs 48 bytes, got 47"),
        (pack_frame("c", 1, 0.0, 4, 4, "mono16", bytes(16)), "mono16 4x4 needs 32 bytes, got 16"),
        (pack_frame("c", 1, 0.0, 4, 4, "yuv", bytes(16)), "unknown encoding 'yuv'"),
        (pack_frame("c", -1, 0.0, 4, 4, "mono8", bytes(16)), "seq must be an integer"),
        (pack_frame("c", 1, 0.0, 0, 4, "mono8", b""), "width must be an integer"),
        (pack_frame("c", 1, 0.0, 6, 4, "jpeg", b"not a jpeg"), "JPEG does not decode to 6x4"),
        (
            msgpack.packb(
                {"camera_id": "c", "seq": 1, "ts": 0, "width": 1, "height": 1, "encoding": "mono8", "data": "x"}
            ),
            "data must be binary",
        ),  # fmt: skip
        ("text", "text message"),
    ],
)
def test_malformed_frames_raise_frame_error(raw, reason):
    with pytest.raises(FrameError, match=reason):
        decode_frame(raw)


def test_buffer_spills_above_cap_and_keeps_order(tmp_path):
    budget = MemoryBudget(cap_bytes=25)
    first, second = FrameBuffer(budget, tmp_path / "a.spill"), FrameBuffer(budget, tmp_path / "b.spill")
    for index in range(3):
        first.append(float(index), bytes([index]) * 10)
    second.append(9.0, b"z" * 4)

    assert first.spilled == 1  # 10 + 10 fit in 25 bytes; the third went to disk
    assert second.spilled == 0 and budget.used == 24
    assert list(first) == [(0.0, b"\x00" * 10), (1.0, b"\x01" * 10), (2.0, b"\x02" * 10)]
    first.discard()
    assert budget.used == 4
    assert not (tmp_path / "a.spill").exists()


def test_sequence_gaps():
    assert sequence_gaps([5, 6, 7, 10, 11, 15]) == [
        {"after": 7, "before": 10, "missing": 2},
        {"after": 11, "before": 15, "missing": 3},
    ]
    assert sequence_gaps([3, 4, 4, 5]) == []
    assert sequence_gaps([]) == []
