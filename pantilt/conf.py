"""Settings of the pan-tilt app: ``django.conf.settings``, else the environment, else a default.

Only ``MQTT_URL`` and ``MEDIA_ROOT`` live in the shared settings; the ``PANTILT_*`` variables
(``.env.example``) are read here, so the app is tuned from the environment (or ``.env``, which
the settings load into it) without touching ``vislivis/settings``; tests override settings.
"""

from __future__ import annotations

import os

from django.conf import settings


def _get(name: str, default):
    if hasattr(settings, name):
        return getattr(settings, name)
    value = os.environ.get(name, "")
    return value if value != "" else default


def mqtt_url() -> str:
    return _get("PANTILT_MQTT_URL", "") or _get("MQTT_URL", "mqtt://127.0.0.1:1883")


def memory_cap_bytes() -> int:
    """Frames of all cameras of one session held in RAM; above this they spill to disk."""
    return int(_get("PANTILT_FRAME_MEMORY_CAP_BYTES", 512 * 1024 * 1024))


def ws_max_size() -> int:
    """Largest WebSocket message accepted (websockets' 1 MiB default closes on real frames)."""
    return int(_get("PANTILT_WS_MAX_SIZE", 64 * 1024 * 1024))


def max_duration_seconds() -> float:
    """Longest recording one request may ask for (must stay under the Celery time limit)."""
    return float(_get("PANTILT_MAX_DURATION_SECONDS", 600))


def http_timeout_seconds() -> float:
    return float(_get("PANTILT_HTTP_TIMEOUT_SECONDS", 10))


def camera_connect_timeout_seconds() -> float:
    return float(_get("PANTILT_CAMERA_CONNECT_TIMEOUT_SECONDS", 3))


def camera_reconnect_delay_seconds() -> float:
    return float(_get("PANTILT_CAMERA_RECONNECT_DELAY_SECONDS", 0.2))


def encode_workers() -> int:
    """Threads encoding PNGs after a recording (OpenCV releases the GIL while encoding)."""
    return int(_get("PANTILT_ENCODE_WORKERS", 2))


def captures_subdir() -> str:
    return str(_get("PANTILT_CAPTURES_SUBDIR", "captures"))


def stale_grace_seconds() -> float:
    """Beyond move timeout plus the longest recording, how long saving may take before a
    session still in progress is declared interrupted."""
    return float(_get("PANTILT_STALE_GRACE_SECONDS", 900))


def stale_queued_seconds() -> float:
    """A session still queued this long was lost (no worker took it) and is failed."""
    return float(_get("PANTILT_STALE_QUEUED_SECONDS", 3600))
