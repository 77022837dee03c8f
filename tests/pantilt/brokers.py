"""Which MQTT broker the pan-tilt tests use.

The machine's Mosquitto at 127.0.0.1:1883 when it runs (CI); with VISLIVIS_REQUIRE_SERVICES=1
its absence is a failure. Otherwise (a laptop) the in-process MiniBroker. ``PrivateBroker``
is a broker the test owns and may stop and restart: a ``mosquitto -p <free port>`` process
when the binary exists, else a MiniBroker on a fixed port. The shared broker is never restarted.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from pantilt.mqtt import BrokerAddress
from tests.pantilt.minibroker import MiniBroker


def _shared() -> BrokerAddress:
    """The machine's broker; VISLIVIS_TEST_MQTT_URL points the tests at another one."""
    from pantilt.mqtt import parse_mqtt_url

    return parse_mqtt_url(os.environ.get("VISLIVIS_TEST_MQTT_URL") or "mqtt://127.0.0.1:1883")


SHARED = _shared()


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def services_required() -> bool:
    return os.environ.get("VISLIVIS_REQUIRE_SERVICES") == "1"


def wait_for_port(port: int, up: bool = True, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while port_open("127.0.0.1", port, 0.2) != up:
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} did not {'open' if up else 'close'}")
        time.sleep(0.05)


class PrivateBroker:
    """A broker on its own port that a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.binary = shutil.which("mosquitto") or (
            "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
        )
        self._process: subprocess.Popen | None = None
        self._mini: MiniBroker | None = None
        self._dir = tempfile.mkdtemp(prefix="vislivis-mosquitto-")

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port)

    def start(self) -> None:
        if self.binary:
            config = Path(self._dir) / "mosquitto.conf"
            config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
            self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [self.binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        else:
            self._mini = MiniBroker(port=self.port).start()
        wait_for_port(self.port)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(5)
            self._process = None
        if self._mini is not None:
            self._mini.stop()
            self._mini = None
        wait_for_port(self.port, up=False)
