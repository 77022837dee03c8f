"""Decides when a rig is still and on target long enough to start recording."""

from __future__ import annotations

import json
import time
from typing import Any

from pantilt.mqtt import ReceivedState, RigLink

MOVING_FLAGS = ("pan_moving", "tilt_moving", "rgb_zoom_moving", "swir_zoom_moving")
POSITION_KEYS = ("pan_position_deg_x100", "tilt_position_deg_x100")


class SettleTimeout(Exception):
    """The rig did not settle in time; the message carries the last state seen."""


def is_settled(state: dict[str, Any], targets: dict[str, int], tolerance: int, zoom_tolerance: int) -> bool:
    """All four axes report not moving and every commanded value is within its tolerance."""
    if any(state.get(flag) is not False for flag in MOVING_FLAGS):
        return False
    for key, target in targets.items():
        value = state.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        allowed = tolerance if key in POSITION_KEYS else zoom_tolerance
        if abs(value - target) > allowed:
            return False
    return True


def wait_until_settled(
    link: RigLink,
    targets: dict[str, int],
    tolerance: int,
    zoom_tolerance: int,
    settle_seconds: float,
    timeout_seconds: float,
) -> ReceivedState:
    """Follow the state stream until the settled condition held for ``settle_seconds``.

    Every message is evaluated in order, so a brief "moving" between two polls resets the
    settle clock. Raises SettleTimeout after ``timeout_seconds``.
    """
    deadline = time.monotonic() + timeout_seconds
    index = 0
    settled_since: float | None = None
    last: ReceivedState | None = None
    while True:
        now = time.monotonic()
        if settled_since is not None and now - settled_since >= settle_seconds:
            return last  # type: ignore[return-value]  # settled_since implies a state
        if now >= deadline:
            raise SettleTimeout(_timeout_message(link, last, timeout_seconds))
        wait = min(0.05, deadline - now)
        if settled_since is not None:
            wait = min(wait, max(0.0, settled_since + settle_seconds - now))
        new, index = link.states_since(index, wait)
        for received in new:
            last = received
            if is_settled(received.state, targets, tolerance, zoom_tolerance):
                settled_since = settled_since if settled_since is not None else received.monotonic
            else:
                settled_since = None


def _timeout_message(link: RigLink, last: ReceivedState | None, timeout_seconds: float) -> str:
    if last is None:
        where = "connected to" if link.connected else "could not reach"
        detail = f" ({link.last_error})" if link.last_error and not link.connected else ""
        return (
            f"Rig did not settle within {timeout_seconds:g} s: no state received on {link.state_topic} "
            f"(the session {where} the MQTT broker {link.address}{detail})."
        )
    return f"Rig did not settle within {timeout_seconds:g} s; last state: {json.dumps(last.state, sort_keys=True)}"
