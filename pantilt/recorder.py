"""Records every listed camera concurrently over WebSocket for a fixed window.

The receive loop only appends raw bytes to a FrameBuffer. A camera that refuses the
connection or drops is retried until the window ends; each outage is logged for the manifest.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidURI, WebSocketException

from pantilt import conf
from pantilt.buffer import FrameBuffer, MemoryBudget
from vislivis import outbound


@dataclass
class CameraRecording:
    camera_id: str
    ws_url: str
    buffer: FrameBuffer
    received: int = 0
    text_messages: int = 0
    connections: int = 0
    outages: list[dict] = field(default_factory=list)

    def note_outage(self, error: str) -> None:
        self.outages.append({"at": time.time(), "error": error})


async def _record_camera(recording: CameraRecording, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    reconnect_delay = conf.camera_reconnect_delay_seconds()
    while (remaining := deadline - loop.time()) > 0:
        try:
            # Resolved and checked before every attempt; the socket goes to that very address
            # (the URL's name still serves TLS and the Host header), never through a proxy.
            host, port = await asyncio.to_thread(outbound.connect_target, recording.ws_url)
        except outbound.OutboundRefused as exc:
            recording.note_outage(f"refused: {exc}")
            return  # not a transient outage: retrying cannot help
        try:
            async with asyncio.timeout(remaining):
                async with connect(
                    recording.ws_url,
                    host=host,
                    port=port,
                    proxy=None,
                    compression=None,
                    max_size=conf.ws_max_size(),
                    open_timeout=min(conf.camera_connect_timeout_seconds(), remaining),
                    ping_interval=None,
                    close_timeout=1,
                ) as websocket:
                    recording.connections += 1
                    async for message in websocket:
                        recording.received += 1
                        if isinstance(message, str):
                            recording.text_messages += 1
                            continue
                        recording.buffer.append(time.time(), message)
            recording.note_outage("camera closed the connection")
        except TimeoutError:
            if loop.time() >= deadline:
                return  # the recording window is over
            recording.note_outage("connection attempt timed out")
        except (OSError, InvalidURI, InvalidHandshake, WebSocketException) as exc:
            recording.note_outage(f"{type(exc).__name__}: {exc}")
        if deadline - loop.time() > reconnect_delay:
            await asyncio.sleep(reconnect_delay)
        else:
            return


async def _record_all(recordings: list[CameraRecording], duration: float) -> None:
    deadline = asyncio.get_running_loop().time() + duration
    await asyncio.gather(*(_record_camera(recording, deadline) for recording in recordings))


def record(cameras: list[tuple[str, str]], duration: float, spill_dir: Path) -> list[CameraRecording]:
    """Record ``[(camera_id, ws_url)]`` for ``duration`` seconds; blocking, for the session thread."""
    budget = MemoryBudget(conf.memory_cap_bytes())
    recordings = [
        CameraRecording(camera_id, url, FrameBuffer(budget, spill_dir / f"{camera_id}.spill"))
        for camera_id, url in cameras
    ]
    asyncio.run(_record_all(recordings, duration))
    return recordings
