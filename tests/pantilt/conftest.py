"""Fixtures: the seed's rig for tenant A, a broker (shared Mosquitto or fallback), simulators."""

from __future__ import annotations

import uuid

import pytest

from pantilt.mqtt import BrokerAddress
from pantilt.simulators.cameras import CameraSimulator, CameraSimulatorThread, CameraSpec
from pantilt.simulators.rig import RigSimulator
from tests.pantilt.brokers import SHARED, port_open, services_required
from tests.pantilt.factories import RigCameraFactory, RigFactory
from tests.pantilt.minibroker import MiniBroker

DEVICE = "acikgoz_pantilt"
SWIR = "cameradevice_swir_1"
RGB = "cameradevice_rgb_1"


def seed_body(duration=1.5, pan=4500, tilt=-1500, cameras=(SWIR, RGB), device=DEVICE) -> dict:
    """The seed's Postman body with its placeholders filled in."""
    return {
        "requests": [
            {
                "target_id": "camera_device",
                "device_id": device,
                "command_id": "start_recording_command",
                "args": {"duration_second": duration, "camera_ids": list(cameras)},
            },
            {
                "target_id": "entity",
                "device_id": device,
                "command_id": "set_pan_position_degree",
                "args": {"pan_position_deg_x100": pan},
            },
            {
                "target_id": "entity",
                "device_id": device,
                "command_id": "set_tilt_position_degree",
                "args": {"tilt_position_deg_x100": tilt},
            },
        ]
    }


@pytest.fixture(scope="session")
def mqtt_broker() -> BrokerAddress:
    """The machine's Mosquitto, or (only when services are not required) an in-process broker."""
    if port_open(SHARED.host, SHARED.port):
        yield SHARED
        return
    if services_required():
        pytest.fail("VISLIVIS_REQUIRE_SERVICES=1 but no MQTT broker listens on 127.0.0.1:1883")
    broker = MiniBroker().start()
    yield BrokerAddress("127.0.0.1", broker.port)
    broker.stop()


@pytest.fixture
def mqtt_prefix() -> str:
    """A topic prefix of this test alone, so parallel runs on the shared broker never mix."""
    return f"vislivis-test/{uuid.uuid4().hex[:10]}"


@pytest.fixture
def use_broker(settings, mqtt_broker):
    def use(address: BrokerAddress) -> None:
        settings.PANTILT_MQTT_URL = f"mqtt://{address.host}:{address.port}"

    use(mqtt_broker)
    return use


@pytest.fixture
def rig_a(tenant_a, mqtt_prefix):
    rig = RigFactory(tenant=tenant_a, device_id=DEVICE, mqtt_prefix=mqtt_prefix)
    RigCameraFactory(rig=rig, camera_id=SWIR, kind="swir")
    RigCameraFactory(rig=rig, camera_id=RGB, kind="rgb")
    return rig


@pytest.fixture
def rig_b(tenant_b, mqtt_prefix):
    rig = RigFactory(tenant=tenant_b, device_id="rival_rig", mqtt_prefix=mqtt_prefix)
    RigCameraFactory(rig=rig, camera_id="rival_rgb_1", kind="rgb")
    return rig


@pytest.fixture
def rig_sim(mqtt_broker, mqtt_prefix):
    """``rig_sim(speed=..., address=...)`` starts a simulated rig; all are stopped after the test."""
    started: list[RigSimulator] = []

    def start(speed: float = 20000.0, address: BrokerAddress | None = None, device: str = DEVICE, http=False):
        simulator = RigSimulator(address or mqtt_broker, device, prefix=mqtt_prefix, speed=speed,
                                 zoom_speed=speed, publish_interval=0.5)  # fmt: skip
        simulator.start(http_port=0 if http else None)
        started.append(simulator)
        # A clean-session simulator only hears commands published after it subscribed.
        assert simulator.subscribed.wait(10), "simulated rig did not subscribe"

        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def camera_sim(rig_a):
    """``camera_sim(rgb=CameraSpec(...), swir=...)`` serves cameras and points rig_a's cameras at them."""
    started: list[CameraSimulatorThread] = []

    def start(rgb: dict | None = None, swir: dict | None = None) -> CameraSimulator:
        specs = [
            CameraSpec(RGB, **({"width": 64, "height": 48, "encoding": "rgb8", "fps": 20} | (rgb or {}))),
            CameraSpec(SWIR, **({"width": 32, "height": 24, "encoding": "mono16", "fps": 20} | (swir or {}))),
        ]
        runner = CameraSimulatorThread(CameraSimulator(specs))
        simulator = runner.start()
        started.append(runner)
        for camera in rig_a.cameras.all():
            camera.ws_url = simulator.url(camera.camera_id)
            camera.save()
        return simulator

    yield start
    for runner in started:
        runner.stop()
