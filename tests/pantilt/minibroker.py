"""A tiny in-process MQTT 3.1.1 broker: the fallback when no Mosquitto runs (a laptop).

Only what the pan-tilt tests use: CONNECT, PUBLISH (QoS 0/1 in, delivered at QoS 0),
retained messages, SUBSCRIBE with + and # wildcards, UNSUBSCRIBE, PINGREQ, DISCONNECT.
No PyPI broker fits (amqtt pins websockets 15; mqttools is MQTT 5 and QoS 0 only).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


def _match(pattern: str, topic: str) -> bool:
    p_levels, t_levels = pattern.split("/"), topic.split("/")
    for index, level in enumerate(p_levels):
        if level == "#":
            return True
        if index >= len(t_levels) or (level != "+" and level != t_levels[index]):
            return False
    return len(p_levels) == len(t_levels)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _publish_packet(topic: str, payload: bytes, retain: bool) -> bytes:
    body = len(topic.encode()).to_bytes(2, "big") + topic.encode() + payload
    return bytes([0x30 | (1 if retain else 0)]) + _varint(len(body)) + body


class MiniBroker:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.retained: dict[str, bytes] = {}
        self.clients: dict[asyncio.StreamWriter, set[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    async def _read_packet(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        header = (await reader.readexactly(1))[0]
        length, shift = 0, 0
        while True:
            byte = (await reader.readexactly(1))[0]
            length += (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return header, await reader.readexactly(length)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients[writer] = set()
        try:
            while True:
                header, body = await self._read_packet(reader)
                kind = header >> 4
                if kind == 1:  # CONNECT
                    writer.write(b"\x20\x02\x00\x00")
                elif kind == 3:  # PUBLISH
                    qos, retain = (header >> 1) & 3, header & 1
                    length = int.from_bytes(body[:2], "big")
                    topic = body[2 : 2 + length].decode()
                    rest = body[2 + length :]
                    if qos:
                        writer.write(b"\x40\x02" + rest[:2])
                        rest = rest[2:]
                    if retain:
                        if rest:
                            self.retained[topic] = rest
                        else:
                            self.retained.pop(topic, None)
                    for other, patterns in list(self.clients.items()):
                        if any(_match(p, topic) for p in patterns):
                            other.write(_publish_packet(topic, rest, False))
                elif kind == 8:  # SUBSCRIBE
                    packet_id, rest, granted = body[:2], body[2:], bytearray()
                    while rest:
                        length = int.from_bytes(rest[:2], "big")
                        pattern = rest[2 : 2 + length].decode()
                        rest = rest[3 + length :]
                        self.clients[writer].add(pattern)
                        granted.append(0)
                    writer.write(bytes([0x90]) + _varint(2 + len(granted)) + packet_id + bytes(granted))
                    for topic, payload in self.retained.items():
                        if _match(pattern, topic):
                            writer.write(_publish_packet(topic, payload, True))
                elif kind == 10:  # UNSUBSCRIBE
                    writer.write(b"\xb0\x02" + body[:2])
                elif kind == 12:  # PINGREQ
                    writer.write(b"\xd0\x00")
                elif kind == 14:  # DISCONNECT
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.clients.pop(writer, None)
            writer.close()

    def start(self) -> MiniBroker:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()

            async def main() -> None:
                self._server = await asyncio.start_server(self._client, self.host, self.port)
                self.port = self._server.sockets[0].getsockname()[1]
                ready.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._server.serve_forever()

            self._loop.run_until_complete(main())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="minibroker", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("mini broker did not start")
        return self

    def stop(self) -> None:
        """Close the listener and every client connection (like a broker going down)."""

        def shutdown() -> None:
            for writer in list(self.clients):
                writer.transport.abort()
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()

        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(shutdown)
        if self._thread is not None:
            self._thread.join(5)
        self.retained.clear()
