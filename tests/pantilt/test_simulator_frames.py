"""The camera simulator's frames: the cached gradient gives exactly the documented pixels."""

import numpy as np
import pytest

from pantilt.simulators.cameras import CameraSpec, make_image


def reference(spec: CameraSpec, seq: int) -> bytes:
    """The formula of ``make_image``'s docstring, computed directly (the pre-cache code)."""
    y, x = np.mgrid[0 : spec.height, 0 : spec.width]
    if spec.encoding == "mono16":
        return ((x * 977 + y * 131 + seq * 257) % 65536).astype("<u2").tobytes()
    base = ((x * 4 + y * 2 + seq * 3) % 256).astype(np.uint8)
    if spec.encoding == "mono8":
        return base.tobytes()
    return np.dstack([base, np.full_like(base, seq % 256), 255 - base]).tobytes()


@pytest.mark.parametrize("encoding", ["rgb8", "mono8", "mono16"])
@pytest.mark.parametrize("seq", [0, 1, 85, 255, 256, 65535, 65536, 10**6 + 7])
def test_frames_equal_the_formula(encoding, seq):
    spec = CameraSpec(camera_id="cam", width=96, height=40, encoding=encoding, fps=30.0)
    assert make_image(spec, seq) == reference(spec, seq)


def test_frames_differ_between_sequence_numbers():
    spec = CameraSpec(camera_id="cam", width=32, height=8, encoding="rgb8", fps=30.0)
    assert make_image(spec, 1) != make_image(spec, 2)
