"""Simulated WebSocket cameras sending SPEC §5 msgpack frames at a set size, encoding and rate.

Each camera has its own clock: ``seq`` advances at ``fps`` whether or not anyone listens, so
a client that reconnects after an outage sees a real sequence gap. ``drop_after`` closes a
connection after that many frames and ``down_seconds`` then refuses connections for a while
(a camera dropping mid-session); ``garbage_every`` sends a malformed message every N frames.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus

import cv2
import numpy as np
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from pantilt.frames import ENCODINGS, pack_frame

log = logging.getLogger(__name__)


@dataclass
class CameraSpec:
    camera_id: str
    width: int = 64
    height: int = 48
    encoding: str = "rgb8"
    fps: float = 20.0
    drop_after: int | None = None
    down_seconds: float = 0.0
    garbage_every: int = 0
    clients: set = field(default_factory=set, repr=False)
    down_until: float = 0.0
    seq: int = 0

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}")

    @property
    def path(self) -> str:
        return f"/{self.camera_id}"


@functools.lru_cache(maxsize=16)
def _gradient(width: int, height: int, encoding: str) -> np.ndarray:
    """The frame-0 pattern of a camera, computed once: each frame adds a per-``seq`` offset with
    the dtype's own wrap-around, which equals the modulo of the formula below. Computing the
    gradient anew (int64 grids, 1280×1024) held a 30 fps stream to ~5 fps on a slow host."""
    y, x = np.mgrid[0:height, 0:width]
    if encoding == "mono16":
        pattern = ((x * 977 + y * 131) % 65536).astype("<u2")
    else:
        pattern = ((x * 4 + y * 2) % 256).astype(np.uint8)
    pattern.setflags(write=False)
    return pattern


def make_image(spec: CameraSpec, seq: int) -> bytes:
    """A moving gradient; mono16 uses the full 16-bit range so 8-bit truncation would show.

    Pixel (x, y) of frame ``seq``: mono16 ``(977x + 131y + 257 seq) mod 65536``; otherwise
    ``base = (4x + 2y + 3 seq) mod 256``, rgb ``(base, seq mod 256, 255 − base)``."""
    gradient = _gradient(spec.width, spec.height, spec.encoding)
    if spec.encoding == "mono16":
        return (gradient + np.uint16(seq * 257 % 65536)).tobytes()
    base = gradient + np.uint8(seq * 3 % 256)
    if spec.encoding == "mono8":
        return base.tobytes()
    rgb = np.empty((spec.height, spec.width, 3), dtype=np.uint8)
    rgb[..., 0] = base
    rgb[..., 1] = seq % 256
    rgb[..., 2] = 255 - base
    if spec.encoding == "jpeg":
        return cv2.imencode(".jpg", rgb)[1].tobytes()
    return rgb.tobytes()


class CameraSimulator:
    """One WebSocket server for several cameras, each at ``ws://host:port/<camera_id>``."""

    def __init__(self, cameras: list[CameraSpec], host: str = "127.0.0.1", port: int = 0):
        self.cameras = {camera.path: camera for camera in cameras}
        self.host = host
        self.port = port

    def url(self, camera_id: str) -> str:
        return f"ws://{self.host}:{self.port}/{camera_id}"

    def _process_request(self, connection: ServerConnection, request):
        camera = self.cameras.get(request.path)
        if camera is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "No such camera.\n")
        if time.monotonic() < camera.down_until:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Camera is down.\n")
        return None

    async def _handler(self, connection: ServerConnection) -> None:
        camera = self.cameras[connection.request.path]
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=64)
        camera.clients.add(queue)
        sent = 0
        try:
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), 0.5)
                except TimeoutError:
                    if connection.state is not State.OPEN:
                        return
                    continue
                await connection.send(message)
                sent += 1
                if camera.drop_after and sent >= camera.drop_after:
                    camera.down_until = time.monotonic() + camera.down_seconds
                    await connection.close(1011, "simulated drop")
                    return
        except ConnectionClosed:
            return
        finally:
            camera.clients.discard(queue)

    async def _produce(self, camera: CameraSpec) -> None:
        interval = 1.0 / camera.fps
        next_at = asyncio.get_running_loop().time()
        while True:
            seq = camera.seq
            camera.seq += 1
            if camera.garbage_every and seq % camera.garbage_every == camera.garbage_every - 1:
                message = b"\xc1not msgpack"
            else:
                message = pack_frame(
                    camera.camera_id,
                    seq,
                    time.time(),
                    camera.width,
                    camera.height,
                    camera.encoding,
                    make_image(camera, seq),
                )
            for queue in list(camera.clients):
                if not queue.full():  # a slow client misses frames; it sees them as seq gaps
                    queue.put_nowait(message)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - asyncio.get_running_loop().time()))

    async def serve(self, ready: threading.Event | None = None, stop: asyncio.Event | None = None) -> None:
        producers = [asyncio.create_task(self._produce(camera)) for camera in self.cameras.values()]
        try:
            async with serve(
                self._handler,
                self.host,
                self.port,
                compression=None,
                max_size=2**20,
                process_request=self._process_request,
            ) as server:
                self.port = server.sockets[0].getsockname()[1]
                if ready is not None:
                    ready.set()
                await (stop.wait() if stop is not None else asyncio.Future())
        finally:
            for task in producers:
                task.cancel()


class CameraSimulatorThread:
    """Runs a CameraSimulator's event loop in a daemon thread (tests, the management command)."""

    def __init__(self, simulator: CameraSimulator):
        self.simulator = simulator
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="camera-sim", daemon=True)
        self._ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            await self.simulator.serve(self._ready, self._stop)

        self._loop.run_until_complete(main())
        self._loop.close()

    def start(self, timeout: float = 5.0) -> CameraSimulator:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("camera simulator did not start")
        return self.simulator

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)
