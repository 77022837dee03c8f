"""When a rig counts as settled; the embedded MiniBroker carries a settle end to end."""

from __future__ import annotations

import pytest

from pantilt.mqtt import BrokerAddress, RigLink
from pantilt.settle import is_settled, wait_until_settled
from pantilt.simulators.rig import RigSimulator
from tests.pantilt.minibroker import MiniBroker

STILL = {
    "pan_position_deg_x100": 4510, "tilt_position_deg_x100": -1500, "pan_moving": False, "tilt_moving": False,
    "rgb_zoom": 200, "swir_zoom": 0, "rgb_zoom_moving": False, "swir_zoom_moving": False, "extra": "ignored",
}  # fmt: skip
TARGETS = {"pan_position_deg_x100": 4500, "tilt_position_deg_x100": -1500}


@pytest.mark.parametrize(
    ("change", "settled"),
    [
        ({}, True),
        ({"pan_position_deg_x100": 4551}, False),  # outside tolerance 50
        ({"pan_moving": True}, False),
        ({"swir_zoom_moving": True}, False),
        ({"rgb_zoom_moving": None}, False),
        ({"tilt_position_deg_x100": "x"}, False),
    ],
)
def test_is_settled(change, settled):
    assert is_settled(STILL | change, TARGETS, tolerance=50, zoom_tolerance=0) is settled


def test_zoom_target_uses_zoom_tolerance():
    assert is_settled(STILL, {"rgb_zoom": 205}, tolerance=50, zoom_tolerance=5)
    assert not is_settled(STILL, {"rgb_zoom": 206}, tolerance=50, zoom_tolerance=5)


def test_minibroker_fallback_carries_commands_and_retained_state():
    """The laptop fallback: a command over the MiniBroker moves the simulator until settled."""
    broker = MiniBroker().start()
    address = BrokerAddress("127.0.0.1", broker.port)
    simulator = RigSimulator(address, "rig1", prefix="t", speed=20000, publish_interval=0.2)
    simulator.start()
    assert simulator.subscribed.wait(10)
    link = RigLink(address, "t/rig1/state", "t/rig1/cmd")
    link.start()
    try:
        assert link.wait_connected(5)
        link.publish_command({"command_id": "set_pan_position_degree", "args": {"pan_position_deg_x100": 3000}})
        settled = wait_until_settled(link, {"pan_position_deg_x100": 3000}, 0, 0, 0.2, 10)
    finally:
        link.stop()
        simulator.stop()
        broker.stop()
    assert settled.state["pan_position_deg_x100"] == 3000
    assert settled.state["pan_moving"] is False
