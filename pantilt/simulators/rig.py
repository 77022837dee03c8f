"""A simulated pan-tilt rig on MQTT (and optionally HTTP): moves toward commanded values.

It subscribes to ``<prefix>/<device>/cmd`` (in on_connect, so it survives broker restarts),
moves pan/tilt/zooms toward their targets at a set speed, and publishes its state retained
on ``<prefix>/<device>/state`` on every change and every ``publish_interval`` seconds.
``speed=0`` makes a stuck rig (settle timeouts). Used by ``manage.py simulate_rig`` and tests.
With ``persistent_session`` (the command) a fixed client id and ``clean_session=False`` keep QoS 1
commands queued at the broker while the simulator is disconnected.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pantilt.mqtt import BrokerAddress, make_client

log = logging.getLogger(__name__)

AXES = {  # command_id → (argument = state key, moving flag)
    "set_pan_position_degree": ("pan_position_deg_x100", "pan_moving"),
    "set_tilt_position_degree": ("tilt_position_deg_x100", "tilt_moving"),
    "set_rgb_zoom": ("rgb_zoom", "rgb_zoom_moving"),
    "set_swir_zoom": ("swir_zoom", "swir_zoom_moving"),
}


class RigSimulator:
    def __init__(
        self,
        address: BrokerAddress,
        device_id: str,
        prefix: str = "pantilt",
        speed: float = 3000.0,
        zoom_speed: float = 500.0,
        publish_interval: float = 1.0,
        tick: float = 0.05,
        persistent_session: bool = False,
    ):
        self.device_id = device_id
        self.state_topic = f"{prefix}/{device_id}/state"
        self.command_topic = f"{prefix}/{device_id}/cmd"
        self.speed = speed
        self.zoom_speed = zoom_speed
        self.publish_interval = publish_interval
        self.tick = tick
        self.position: dict[str, float] = {key: 0.0 for key, _ in AXES.values()}
        self.target: dict[str, float] = dict(self.position)
        self.commands: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._dirty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http: ThreadingHTTPServer | None = None
        client_id = f"pantilt-sim-{prefix.replace('/', '-')}-{device_id}"
        self.client = make_client(address, client_id, clean_session=not persistent_session)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.subscribed = threading.Event()  # set once the broker confirmed the command subscription
        self.address = address

    # commands ----------------------------------------------------------------------
    def apply(self, command: Any) -> tuple[bool, str]:
        """Take one command object; returns (accepted, reason)."""
        if not isinstance(command, dict) or command.get("command_id") not in AXES:
            return False, "unknown command"
        key, _ = AXES[command["command_id"]]
        value = (command.get("args") or {}).get(key) if isinstance(command.get("args"), dict) else None
        if not isinstance(value, int) or isinstance(value, bool):
            return False, f"args.{key} must be an integer"
        with self._lock:
            self.target[key] = float(value)
            self.commands.append(command)
            self._dirty = True  # the moving flags changed: publish on the next tick
        return True, "accepted"

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if not reason_code.is_failure:
            client.subscribe(self.command_topic, qos=1)
            self._publish()

    def _on_message(self, client, userdata, message) -> None:
        try:
            command = json.loads(message.payload)
        except ValueError:
            log.warning("Simulated rig %s: command is not JSON", self.device_id)
            return
        accepted, reason = self.apply(command)
        if not accepted:
            log.warning("Simulated rig %s: %s", self.device_id, reason)

    # motion ------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self._lock:
            state: dict[str, Any] = {key: round(self.position[key]) for key, _ in AXES.values()}
            for key, flag in AXES.values():
                state[flag] = self.position[key] != self.target[key]
        state["ts"] = time.time()
        return state

    def step(self, dt: float) -> bool:
        """Advance the motion by ``dt`` seconds; True when anything changed."""
        changed = False
        with self._lock:
            for key, _ in AXES.values():
                speed = self.zoom_speed if "zoom" in key else self.speed
                delta = self.target[key] - self.position[key]
                if delta and speed > 0:
                    move = max(-speed * dt, min(speed * dt, delta))
                    self.position[key] += move
                    changed = True
        return changed

    def _publish(self) -> None:
        self.client.publish(self.state_topic, json.dumps(self.state()), qos=1, retain=True)

    def _run(self) -> None:
        last_publish = 0.0
        last = time.monotonic()
        was_moving = False
        while not self._stop.wait(self.tick):
            now = time.monotonic()
            moving = self.step(now - last)
            last = now
            dirty, self._dirty = self._dirty, False
            if dirty or moving or was_moving or now - last_publish >= self.publish_interval:
                self._publish()
                last_publish = now
            was_moving = moving

    # lifecycle ---------------------------------------------------------------------
    def start(self, http_port: int | None = None, http_host: str = "127.0.0.1") -> None:
        self.client.connect_async(self.address.host, self.address.port, keepalive=10)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._run, name=f"rig-sim-{self.device_id}", daemon=True)
        self._thread.start()
        if http_port is not None:
            self._http = ThreadingHTTPServer((http_host, http_port), _handler_for(self))
            threading.Thread(target=self._http.serve_forever, daemon=True).start()

    @property
    def http_port(self) -> int | None:
        return self._http.server_address[1] if self._http else None

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        if self._http:
            self._http.shutdown()
            self._http.server_close()
        self.client.disconnect()
        self.client.loop_stop()


def _handler_for(simulator: RigSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """POST a command object (the rig's HTTP API); answers 200 or 400 with JSON."""

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = min(int(self.headers.get("Content-Length") or 0), 65536)
            try:
                command = json.loads(self.rfile.read(length))
            except ValueError:
                command = None
            accepted, reason = simulator.apply(command)
            body = json.dumps({"status": "ok" if accepted else "error", "detail": reason}).encode()
            self.send_response(200 if accepted else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
            log.debug("rig http: " + format, *args)

    return Handler
