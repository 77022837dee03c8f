"""One JPEG frame per camera for the setup feed, via OpenCV (optional, imported lazily).

Grabbing runs in a daemon thread with a deadline: a camera that never answers must not hang
the setup run (OpenCV/FFmpeg timeouts are honoured by some builds only).
"""

from __future__ import annotations

import base64
import os
import threading
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

# Longest side and JPEG quality, tried in order until the snapshot fits its share of the body.
ENCODE_LADDER = [(1280, 80), (960, 75), (640, 70), (480, 60), (320, 50)]
BODY_BUDGET = 900_000  # the panel refuses bodies over 1 MiB; leave room for the rest of the JSON

FrameGrabber = Callable[[str, float], Any]


class SnapshotUnavailable(RuntimeError):
    pass


class OpenCVMissing(SnapshotUnavailable):
    """No camera can give a frame on this PC: said once, not once per camera."""


def mask(url: str) -> str:
    """``rtsp://user:pass@host/x`` → ``rtsp://user:***@host/x`` for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{parts.username}:***@{host}", parts.path, parts.query, parts.fragment))


def load_cv2() -> Any:
    # OpenCV and FFmpeg print their own warnings for every camera that does not answer; the
    # setup report already says so, once and readably.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    try:
        import cv2
    except ImportError:
        raise OpenCVMissing("OpenCV is not installed (pip install opencv-python)") from None
    return cv2


def grab_frame(url: str, timeout: float) -> Any:
    """Read one frame from ``url`` within ``timeout`` seconds, or raise ``SnapshotUnavailable``."""
    cv2 = load_cv2()
    box: dict[str, Any] = {}

    def work() -> None:
        capture = None
        try:
            ms = int(timeout * 1000)
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
            capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
            if not capture.isOpened():
                box["error"] = "the stream did not open"
                return
            ok, frame = capture.read()
            if ok and frame is not None:
                box["frame"] = frame
            else:
                box["error"] = "the stream opened but gave no frame"
        except Exception as exc:  # noqa: BLE001 - OpenCV raises cv2.error and others; all mean "no frame"
            box["error"] = str(exc)[:200]
        finally:
            if capture is not None:
                capture.release()

    thread = threading.Thread(target=work, name="snapshot", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if thread.is_alive():
        raise SnapshotUnavailable(f"no answer within {timeout:g} s")
    if "frame" not in box:
        raise SnapshotUnavailable(box.get("error", "no frame"))
    return box["frame"]


def encode_jpeg(frame: Any, budget: int) -> tuple[str, int, int]:
    """Base64 JPEG of ``frame`` no longer than ``budget`` characters → (text, width, height)."""
    cv2 = load_cv2()
    height, width = frame.shape[:2]
    for max_side, quality in ENCODE_LADDER:
        scale = min(1.0, max_side / max(width, height))
        image = frame
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise SnapshotUnavailable("JPEG encoding failed")
        text = base64.b64encode(data.tobytes()).decode("ascii")
        if len(text) <= budget:
            return text, image.shape[1], image.shape[0]
    raise SnapshotUnavailable("the frame does not fit the panel's 1 MiB request limit even when shrunk")
