"""Saves a recording under MEDIA_ROOT/captures/<tenant>/<YYYYMMDD_HHMMSS>_<session>/<camera>/.

Decoding and PNG encoding run here, after the recording, on a small thread pool. Every frame
is accounted for in the manifest: received, saved, and dropped with a reason, plus gaps in
the cameras' sequence numbers. ``manifest.json`` is written last, atomically.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import slugify

from pantilt import conf
from pantilt.frames import FrameError, decode_frame, encode_png
from pantilt.recorder import CameraRecording


def session_folder(tenant_name: str, tenant_id: int, session_id: int, started_at: datetime) -> Path:
    """Relative folder of a session (UTC timestamp, so folders sort by time)."""
    tenant = slugify(tenant_name) or f"tenant-{tenant_id}"
    return Path(conf.captures_subdir()) / tenant / f"{started_at.strftime('%Y%m%d_%H%M%S')}_{session_id}"


def absolute(relative: Path | str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def file_name(seq: int) -> str:
    return f"{seq:06d}.png"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _save_one(camera_dir: Path, camera_id: str, raw: bytes) -> dict[str, Any]:
    """Decode and save one frame; returns its manifest entry or the reason it was dropped."""
    try:
        frame = decode_frame(raw)
        if frame.camera_id != camera_id:
            raise FrameError(f"frame says camera_id {frame.camera_id!r}")
        png = encode_png(frame.image)
    except FrameError as exc:
        return {"dropped": "malformed", "reason": str(exc)}
    return {
        "seq": frame.seq,
        "ts": frame.ts,
        "width": frame.width,
        "height": frame.height,
        "encoding": frame.encoding,
        "png": png,
    }


def sequence_gaps(seqs: list[int]) -> list[dict[str, int]]:
    """Holes between consecutive received sequence numbers."""
    ordered = sorted(set(seqs))
    return [
        {"after": a, "before": b, "missing": b - a - 1} for a, b in zip(ordered, ordered[1:], strict=False) if b - a > 1
    ]


def save_camera(folder: Path, recording: CameraRecording) -> dict[str, Any]:
    """Write one camera's PNGs; returns its manifest section."""
    camera_dir = absolute(folder) / recording.camera_id
    camera_dir.mkdir(parents=True, exist_ok=True)
    frames: list[dict[str, Any]] = []
    drops: Counter[str] = Counter({"text_message": recording.text_messages} if recording.text_messages else {})
    seen: set[int] = set()
    with ThreadPoolExecutor(max_workers=conf.encode_workers()) as pool:
        items = (
            (received_at, pool.submit(_save_one, camera_dir, recording.camera_id, raw))
            for received_at, raw in recording.buffer
        )
        # Bounded look-ahead keeps at most a few encoded PNGs in memory at once.
        pending: list = []
        for item in items:
            pending.append(item)
            if len(pending) >= conf.encode_workers() * 4:
                _collect(pending.pop(0), camera_dir, frames, drops, seen)
        for item in pending:
            _collect(item, camera_dir, frames, drops, seen)
    recording.buffer.discard()
    seqs = [frame["seq"] for frame in frames]
    gaps = sequence_gaps(seqs)
    return {
        "ws_url": recording.ws_url,
        "received": recording.received,
        "saved": len(frames),
        "dropped": sum(drops.values()),
        "dropped_reasons": dict(drops),
        "spilled_to_disk": recording.buffer.spilled,
        "connections": recording.connections,
        "outages": recording.outages,
        "first_seq": min(seqs) if seqs else None,
        "last_seq": max(seqs) if seqs else None,
        "sequence_gaps": gaps,
        "missing_in_gaps": sum(gap["missing"] for gap in gaps),
        "frames": frames,
    }


def _collect(item, camera_dir: Path, frames: list, drops: Counter, seen: set[int]) -> None:
    received_at, future = item
    result = future.result()
    if "dropped" in result:
        drops[result["dropped"]] += 1
        return
    if result["seq"] in seen:
        drops["duplicate_seq"] += 1
        return
    seen.add(result["seq"])
    name = file_name(result["seq"])
    _write_atomic(camera_dir / name, result.pop("png"))
    frames.append({**result, "received_at": received_at, "file": f"{camera_dir.name}/{name}"})


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode()
    _write_atomic(absolute(folder) / "manifest.json", data)
