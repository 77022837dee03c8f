"""MQTT link to one rig with paho-mqtt 2: publish commands (QoS 1), follow retained state.

paho's network loop runs in its own thread; it reconnects by itself and we subscribe in
``on_connect`` so the subscription survives a broker restart. State messages are appended
to a list under a condition variable; the session thread reads them in order.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

log = logging.getLogger(__name__)

MAX_KEPT_STATES = 2000


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    def __str__(self) -> str:  # never prints the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_mqtt_url(url: str) -> BrokerAddress:
    """``mqtt://user:pass@host:1883`` (or ``mqtts://``) → address; ValueError when malformed."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp") or not parts.hostname:
        raise ValueError(f"Not an MQTT URL: {url!r} (expected mqtt://host:port).")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


def make_client(address: BrokerAddress, client_id: str, clean_session: bool = True) -> mqtt.Client:
    """A paho client with the VERSION2 callbacks, credentials, TLS and quick reconnects."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_session
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    return client


@dataclass
class ReceivedState:
    received_at: float  # time.time() when it arrived
    monotonic: float
    state: dict[str, Any]


class RigLink:
    """Commands out, states in, for one ``<prefix>/<device_id>``."""

    def __init__(self, address: BrokerAddress, state_topic: str, command_topic: str, client_id: str | None = None):
        self.address = address
        self.state_topic = state_topic
        self.command_topic = command_topic
        self.states: list[ReceivedState] = []
        self._trimmed = 0  # states dropped from the front of ``states`` (indices stay absolute)
        self.invalid_messages = 0
        self.connected = False
        self.connect_count = 0
        self.last_error = ""
        self.acked_mids: set[int] = set()
        self._cond = threading.Condition()
        self.client = make_client(address, client_id or f"vislivis-{uuid.uuid4().hex[:12]}")
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    # paho callbacks (network thread) -------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.last_error = f"broker refused the connection: {reason_code}"
            return
        with self._cond:
            self.connected = True
            self.connect_count += 1
            self._cond.notify_all()
        client.subscribe(self.state_topic, qos=1)

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.acked_mids.add(mid)  # QoS 1: the broker's PUBACK arrived

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected = False
        self.last_error = f"disconnected from {self.address}: {reason_code}"

    def _on_message(self, client, userdata, message) -> None:
        try:
            state = json.loads(message.payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.invalid_messages += 1
            log.warning("Rig state on %s is not valid JSON; skipped", message.topic)
            return
        if not isinstance(state, dict):
            self.invalid_messages += 1
            log.warning("Rig state on %s is not a JSON object; skipped", message.topic)
            return
        with self._cond:
            self.states.append(ReceivedState(time.time(), time.monotonic(), state))
            if len(self.states) > MAX_KEPT_STATES:
                excess = len(self.states) - MAX_KEPT_STATES
                del self.states[:excess]
                self._trimmed += excess
            self._cond.notify_all()

    # session thread ---------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background; paho keeps retrying while the broker is down."""
        self.client.connect_async(self.address.host, self.address.port, keepalive=10)
        self.client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        """Give the first connection a moment, so commands normally go out at once."""
        with self._cond:
            return self._cond.wait_for(lambda: self.connected, timeout)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish_command(self, command: dict[str, Any]) -> mqtt.MQTTMessageInfo:
        """Publish once at QoS 1; paho queues it while disconnected (resending would duplicate)."""
        payload = json.dumps(command, separators=(",", ":"))
        return self.client.publish(self.command_topic, payload, qos=1)

    def states_since(self, index: int, wait: float) -> tuple[list[ReceivedState], int]:
        """States received after absolute position ``index`` (waiting up to ``wait`` s), next index."""
        with self._cond:
            if self._trimmed + len(self.states) <= index:
                self._cond.wait(wait)
            new = self.states[max(0, index - self._trimmed) :]
            return new, self._trimmed + len(self.states)
