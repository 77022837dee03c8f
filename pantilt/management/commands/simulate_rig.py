"""Run a simulated pan-tilt rig on the MQTT broker (and optionally an HTTP command API)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from pantilt import conf
from pantilt.mqtt import parse_mqtt_url
from pantilt.simulators.rig import RigSimulator


class Command(BaseCommand):
    help = "Simulate a pan-tilt rig: moves toward commanded positions and publishes its state over MQTT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--device-id", default="acikgoz_pantilt")
        parser.add_argument("--mqtt-prefix", default="pantilt")
        parser.add_argument("--mqtt-url", default="", help="Default: the MQTT_URL setting.")
        parser.add_argument("--speed", type=float, default=3000.0, help="Degrees × 100 per second (0 = stuck).")
        parser.add_argument("--zoom-speed", type=float, default=500.0, help="Zoom units per second.")
        parser.add_argument("--publish-interval", type=float, default=1.0, help="Seconds between periodic states.")
        parser.add_argument("--http-port", type=int, default=None, help="Also accept commands by HTTP POST here.")

    def handle(self, *args, **options) -> None:
        try:
            address = parse_mqtt_url(options["mqtt_url"] or conf.mqtt_url())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        simulator = RigSimulator(
            address,
            options["device_id"],
            prefix=options["mqtt_prefix"],
            speed=options["speed"],
            zoom_speed=options["zoom_speed"],
            publish_interval=options["publish_interval"],
            persistent_session=True,
        )
        simulator.start(http_port=options["http_port"])
        self.stdout.write(
            f"Simulated rig {options['device_id']} on {address}: state {simulator.state_topic}, "
            f"commands {simulator.command_topic}"
            + (f", HTTP http://127.0.0.1:{simulator.http_port}/" if simulator.http_port else "")
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            simulator.stop()
