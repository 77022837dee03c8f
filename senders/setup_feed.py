"""``setup``: the store's site name and camera list, each camera with a fresh snapshot (seed §6).

Snapshots are best effort by default: a camera that gives no frame, or a PC without OpenCV, is
a printed warning and the camera list is still sent (exit 0, everything asked for arrived).
``--snapshots`` asks for them explicitly: then a camera without one is a failure (exit 6).
"""

from __future__ import annotations

import argparse
from typing import Any

from senders.cli import check, to_json
from senders.client import Credentials
from senders.context import Context, read_json
from senders.delivery import Request
from senders.feeds import FEEDS, prepare
from senders.report import USAGE, WARNING, plural
from senders.snapshots import BODY_BUDGET, OpenCVMissing, SnapshotUnavailable, encode_jpeg, mask


def run(ctx: Context, args: argparse.Namespace) -> int:
    feed = FEEDS["setup"]
    try:
        payload = read_json(args.json, ctx.stdin)
    except ValueError as exc:
        ctx.report.problem(f"error: {exc}", USAGE)
        return USAGE
    if isinstance(payload, dict):
        _take_body_credentials(ctx, payload)
    payload = prepare(feed, payload, store=ctx.settings.store)
    if not check(ctx, "setup", feed.errors(payload)):
        return USAGE
    if not args.no_snapshots:
        add_snapshots(ctx, payload["cameras"], timeout=args.camera_timeout, required=args.snapshots)
    ctx.courier().deliver([Request("setup", feed.endpoint, to_json(payload), len(payload["cameras"]), "camera")])
    return ctx.report.exit_code


def _take_body_credentials(ctx: Context, payload: dict) -> None:
    """The seed's payload carries ``username``/``password``; flags, environment or config win.

    They are removed from the body either way: they travel in the Authorization header, and the
    spool (a file on disk) should not hold a password.
    """
    username, password = payload.pop("username", None), payload.pop("password", None)
    if not ctx.settings.credentials_explicit and isinstance(username, str) and isinstance(password, str):
        ctx.settings.credentials = Credentials(username=username, password=password)


def add_snapshots(ctx: Context, cameras: list[dict[str, Any]], *, timeout: float, required: bool = False) -> None:
    """Grab and attach a JPEG per camera; a camera that does not answer is sent without one.

    ``required`` (``--snapshots``): each camera left without one is a failure (exit 6);
    otherwise a warning that leaves the exit code alone.
    """
    wanting = [cam for cam in cameras if not cam.get("snapshot") and str(cam.get("rtsp", "")).strip()]
    if not wanting:
        return
    budget = BODY_BUDGET // len(wanting)

    def missing(line: str) -> None:
        if required:
            ctx.report.problem(f"error: {line}", WARNING)
        else:
            ctx.report.warn(line)

    for index, camera in enumerate(wanting):
        name, url = camera["name"], str(camera["rtsp"]).strip()
        try:
            frame = ctx.grabber(url, timeout)
            text, width, height = encode_jpeg(frame, budget)
        except OpenCVMissing as exc:
            hint = "" if required else "; --no-snapshots skips them, --snapshots makes this an error"
            missing(f"setup: {plural(len(wanting) - index, 'camera')} sent without a snapshot: {exc}{hint}")
            return
        except SnapshotUnavailable as exc:
            missing(f"setup: camera {name!r} ({mask(url)}) sent without a snapshot: {exc}")
            continue
        camera["snapshot"] = text
        ctx.report.info(f"setup: camera {name!r}: snapshot {width}x{height}, {len(text) * 3 // 4 // 1024} KiB")
