"""Capture: two simulated cameras recorded by ``pantilt`` vs a raw ``websockets`` client.

The simulator (``pantilt.simulators.cameras``) runs in this process; each measured client runs
in its own child process (``python -m bench.capture``) so its peak RSS is its own:

- ``raw``: a bare loopback ``websockets`` client that only counts messages (``compression=None``
  and a ``max_size`` that fits the largest frame: the fastest any client can receive);
- ``session``: ``pantilt.recorder.record`` (the session's recording step) followed by
  ``pantilt.storage.save_camera`` (decode + PNG off the receive loop), as ``run_session`` does.

Both see the same stream in the same run, interleaved A B A B.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgpack

from bench.stats import interleave, median, ratio

ROOT = Path(__file__).resolve().parent.parent
CAMERAS = (("cam-rgb", 1280, 1024, "rgb8"), ("cam-mono16", 640, 512, "mono16"))
BYTES_PER_PIXEL = {"rgb8": 3, "mono16": 2, "mono8": 1, "bgr8": 3}


def rss_now_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _raw_receive(urls: dict[str, str], duration: float, max_size: int) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    counts = {camera: 0 for camera in urls}
    stamps: dict[str, list[float]] = {camera: [] for camera in urls}
    held: list[bytes] = []  # the raw client keeps its frames too, so both hold the same bytes

    async def one(camera: str, url: str, deadline: float) -> None:
        async with connect(url, compression=None, max_size=max_size, ping_interval=None, close_timeout=1) as ws:
            while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
                try:
                    message = await asyncio.wait_for(ws.recv(), remaining)
                except TimeoutError:
                    return
                counts[camera] += 1
                stamps[camera].append(time.time())
                held.append(message)

    deadline = asyncio.get_running_loop().time() + duration
    await asyncio.gather(*(one(camera, url, deadline) for camera, url in urls.items()))
    return {"received": counts, "stamps": stamps, "bytes_held": sum(len(m) for m in held), "held": held}


def frame_seq(message: bytes) -> tuple[str, int]:
    """(camera, seq) of a wire message; read after the window so the receive loop stays bare."""
    meta = msgpack.unpackb(message, raw=False)
    return meta["camera_id"], meta["seq"]


def coverage(received: int, first_seq: int | None, last_seq: int | None) -> float:
    """Share of the frames the camera produced between the first and the last one received that
    arrived: 1.0 means the client kept pace with the stream, whatever pace the simulator's clock
    actually held during that run (it is the same stream for both clients only in this sense)."""
    if not received or first_seq is None or last_seq is None:
        return 0.0
    return round(received / (last_seq - first_seq + 1), 4)


def steady_fps(stamps: list[float]) -> float:
    """Frames per second between the first and the last frame received: the receive loop's pace,
    without the connection set-up that the fixed window also contains."""
    if len(stamps) < 2 or stamps[-1] <= stamps[0]:
        return 0.0
    return round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 2)


def child_raw(urls: dict[str, str], duration: float) -> dict[str, Any]:
    before = rss_now_bytes()
    started = time.perf_counter()
    result = asyncio.run(_raw_receive(urls, duration, 64 * 1024 * 1024))
    elapsed = time.perf_counter() - started
    seqs: dict[str, list[int]] = {camera: [] for camera in urls}
    for message in result.pop("held"):
        camera, seq = frame_seq(message)
        seqs[camera].append(seq)
    return {
        "coverage": {
            camera: coverage(len(values), min(values, default=None), max(values, default=None))
            for camera, values in seqs.items()
        },
        "fps": {camera: round(n / duration, 2) for camera, n in result["received"].items()},
        "steady_fps": {camera: steady_fps(stamps) for camera, stamps in result["stamps"].items()},
        "received": result["received"],
        "dropped": 0,
        "bytes_held": result["bytes_held"],
        "rss_before": before,
        "peak_rss": peak_rss_bytes(),
        "elapsed_s": round(elapsed, 2),
    }


def child_session(urls: dict[str, str], duration: float) -> dict[str, Any]:
    """The session's record + save steps, exactly the functions ``pantilt.session`` calls."""
    from bench.environment import activate

    activate({})  # the parent passed the bench environment to this process
    from pantilt import storage
    from pantilt.recorder import record

    before = rss_now_bytes()
    with tempfile.TemporaryDirectory(prefix="vislivis-bench-capture-") as tmp:
        recordings = record(list(urls.items()), duration, Path(tmp) / ".spill")
        refused = [
            f"{r.camera_id}: {o['error']}" for r in recordings for o in r.outages if o["error"].startswith("refused")
        ]
        if refused:  # a harness fault (the settings refuse the simulators' address), not 0 fps
            raise RuntimeError("the session's camera connections were refused: " + "; ".join(refused))
        steady = {r.camera_id: steady_fps([stamp for stamp, _ in r.buffer.entries]) for r in recordings}
        bytes_held = sum(len(raw) for recording in recordings for _, raw in recording.buffer)
        spilled = sum(recording.buffer.spilled for recording in recordings)
        peak_after_record = peak_rss_bytes()
        save_started = time.perf_counter()
        sections = {}
        for recording in recordings:
            section = storage.save_camera(Path(tmp) / "session", recording)
            sections[recording.camera_id] = {
                key: section[key]
                for key in (
                    "received",
                    "saved",
                    "dropped",
                    "missing_in_gaps",
                    "spilled_to_disk",
                    "first_seq",
                    "last_seq",
                )
            }
        save_s = time.perf_counter() - save_started
    return {
        "coverage": {camera: coverage(s["received"], s["first_seq"], s["last_seq"]) for camera, s in sections.items()},
        "fps": {camera: round(s["received"] / duration, 2) for camera, s in sections.items()},
        "steady_fps": steady,
        "received": {camera: s["received"] for camera, s in sections.items()},
        "saved": {camera: s["saved"] for camera, s in sections.items()},
        "dropped": sum(s["dropped"] for s in sections.values()),
        "missing_in_gaps": {camera: s["missing_in_gaps"] for camera, s in sections.items()},
        "spilled_frames": spilled,
        "bytes_held": bytes_held,
        "rss_before": before,
        "peak_rss_recording": peak_after_record,
        "peak_rss": peak_rss_bytes(),
        "save_s": round(save_s, 2),
    }


def _run_child(kind: str, urls: dict[str, str], duration: float, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.capture", kind, json.dumps(urls), str(duration)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=duration * 20 + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"capture child {kind} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(env: dict[str, str], duration: float, rounds: int, fps: float = 30.0, scale: int = 1) -> dict[str, Any]:
    """Interleaved raw/session runs against one simulator; ``scale`` divides frame sides (smoke tests)."""
    from pantilt.simulators.cameras import CameraSimulator, CameraSimulatorThread, CameraSpec

    specs = [
        CameraSpec(camera_id=camera, width=w // scale, height=h // scale, encoding=enc, fps=fps)
        for camera, w, h, enc in CAMERAS
    ]
    thread = CameraSimulatorThread(CameraSimulator(specs))
    simulator = thread.start()
    urls = {spec.camera_id: simulator.url(spec.camera_id) for spec in specs}
    try:
        produced_before = {spec.camera_id: spec.seq for spec in specs}
        started = time.monotonic()
        raw = interleave(
            {
                "raw": lambda: _run_child("raw", urls, duration, env),
                "session": lambda: _run_child("session", urls, duration, env),
            },
            rounds,
        )
        produced = {
            spec.camera_id: round((spec.seq - produced_before[spec.camera_id]) / (time.monotonic() - started), 2)
            for spec in specs
        }
    finally:
        thread.stop()
    per_camera = {}
    for spec in specs:
        raw_fps = median([r["steady_fps"][spec.camera_id] for r in raw["raw"]])
        session_fps = median([r["steady_fps"][spec.camera_id] for r in raw["session"]])
        raw_window = median([r["fps"][spec.camera_id] for r in raw["raw"]])
        session_window = median([r["fps"][spec.camera_id] for r in raw["session"]])
        raw_coverage = median([r["coverage"][spec.camera_id] for r in raw["raw"]])
        session_coverage = median([r["coverage"][spec.camera_id] for r in raw["session"]])
        per_camera[spec.camera_id] = {
            "raw_coverage": raw_coverage,
            "session_coverage": session_coverage,
            # The goal's figure: received rate relative to the stream each client actually saw.
            "coverage_ratio": ratio(session_coverage, raw_coverage),
            "raw_fps": raw_fps,
            "session_fps": session_fps,
            "ratio": ratio(session_fps, raw_fps),
            "raw_window_fps": raw_window,
            "session_window_fps": session_window,
            "window_ratio": ratio(session_window, raw_window),
            "frame_bytes": spec.width * spec.height * BYTES_PER_PIXEL[spec.encoding],
        }
    rss_ratios = [
        (r["peak_rss_recording"] - r["rss_before"]) / r["bytes_held"] for r in raw["session"] if r["bytes_held"]
    ]
    return {
        "duration_s": duration,
        "rounds": rounds,
        "target_fps": fps,
        "simulator_produced_fps": produced,
        "cameras": per_camera,
        "min_ratio": min(c["ratio"] for c in per_camera.values()),
        "min_coverage_ratio": min(c["coverage_ratio"] for c in per_camera.values()),
        "dropped_total": sum(r["dropped"] for r in raw["session"]),
        "missing_in_gaps_total": sum(sum(r["missing_in_gaps"].values()) for r in raw["session"]),
        "rss_growth_over_bytes_held": round(median(rss_ratios), 3) if rss_ratios else None,
        "peak_rss_over_bytes_held": round(
            median([r["peak_rss"] / r["bytes_held"] for r in raw["session"] if r["bytes_held"]]), 3
        ),
        "peak_rss_mb_session": round(median([r["peak_rss"] for r in raw["session"]]) / 2**20, 1),
        "bytes_held_mb_session": round(median([r["bytes_held"] for r in raw["session"]]) / 2**20, 1),
        "save_s_median": median([r["save_s"] for r in raw["session"]]),
        "runs": raw,
    }


if __name__ == "__main__":
    kind, urls_json, duration_text = sys.argv[1:4]
    runner = child_raw if kind == "raw" else child_session
    print(json.dumps(runner(json.loads(urls_json), float(duration_text))))
