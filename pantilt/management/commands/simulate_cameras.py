"""Run simulated WebSocket cameras (SPEC §5 msgpack frames)."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand, CommandError

from pantilt.frames import ENCODINGS
from pantilt.simulators.cameras import CameraSimulator, CameraSpec


def parse_camera(text: str, default_fps: float) -> CameraSpec:
    """``ID[:WIDTHxHEIGHT[:ENCODING[:FPS]]]``, e.g. ``cameradevice_swir_1:640x512:mono16:20``."""
    parts = text.split(":")
    try:
        width, height = (int(v) for v in parts[1].lower().split("x")) if len(parts) > 1 else (64, 48)
        encoding = parts[2] if len(parts) > 2 else ("mono16" if "swir" in parts[0] else "rgb8")
        fps = float(parts[3]) if len(parts) > 3 else default_fps
        return CameraSpec(parts[0], width, height, encoding, fps)
    except ValueError as exc:
        raise CommandError(f"--camera {text!r}: expected ID[:WxH[:ENCODING[:FPS]]] ({exc})") from exc


class Command(BaseCommand):
    help = "Simulate cameras: ws://HOST:PORT/<camera_id> streams msgpack frames at a set size, encoding and rate."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--camera",
            action="append",
            default=[],
            help=f"ID[:WIDTHxHEIGHT[:ENCODING[:FPS]]], encoding one of {', '.join(ENCODINGS)}; repeatable.",
        )
        parser.add_argument("--fps", type=float, default=20.0)

    def handle(self, *args, **options) -> None:
        specs = [parse_camera(text, options["fps"]) for text in options["camera"]] or [
            CameraSpec("cameradevice_rgb_1", 640, 480, "rgb8", options["fps"]),
            CameraSpec("cameradevice_swir_1", 320, 256, "mono16", options["fps"]),
        ]
        simulator = CameraSimulator(specs, options["host"], options["port"])
        for spec in specs:
            self.stdout.write(
                f"{spec.camera_id}: {simulator.url(spec.camera_id)} {spec.width}x{spec.height} {spec.encoding} "
                f"{spec.fps:g} fps"
            )
        try:
            asyncio.run(simulator.serve())
        except KeyboardInterrupt:
            pass
