"""``python -m senders`` / ``vislivis-sender``: one command line for every feed of seed 000.

``main(argv)`` returns the exit code instead of exiting, so cron wrappers, the legacy script
names and the tests all run the same code in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from senders import __version__
from senders.config import ConfigError, resolve
from senders.context import Context, read_json
from senders.delivery import Request
from senders.feeds import FEEDS, prepare, record_count
from senders.report import OK, USAGE, Report
from senders.snapshots import FrameGrabber, grab_frame


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    panel = common.add_argument_group("panel")
    panel.add_argument("-U", "--url", help="panel address (default http://127.0.0.1:5000)")
    panel.add_argument("-u", "--username", help="sender account (default boyner)")
    panel.add_argument("-p", "--password", help="its password (better: VISLIVIS_PASSWORD or the config file)")
    panel.add_argument("--token", help="API token instead of username/password")
    panel.add_argument("--store", help="store code, for accounts bound to several stores")
    panel.add_argument("--config", help="TOML config file (default ./vislivis-sender.toml)")
    panel.add_argument("--spool-dir", help="where unsent data waits (default ~/.local/share/vislivis-senders)")
    panel.add_argument("--timeout", type=float, help="seconds to wait for the panel (default 15)")
    panel.add_argument("--retries", type=int, help="quick retries before spooling (default 2)")
    common.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="senders", description="Send store AI data to the VISLIVIS panel (seed 000 feeds)."
    )
    parser.add_argument("--version", action="version", version=f"vislivis-senders {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    beat = commands.add_parser("heartbeat", parents=[common], help="keep the store's 'Mağaza AI' indicator green")
    beat.add_argument("--interval", type=float, default=5.0, help="minutes between pings (default 5)")
    beat.add_argument("--once", action="store_true", help="send one heartbeat and exit")

    for name, feed in FEEDS.items():
        sub = commands.add_parser(name, parents=[common], help=f"POST {feed.endpoint}")
        sub.add_argument(
            "-j",
            "--json",
            default=feed.default_payload,
            help=f"payload file, - for stdin (default {feed.default_payload})",
        )
        if name == "setup":
            sub.add_argument("--camera-timeout", type=float, default=10.0, help="seconds per camera (default 10)")
            shots = sub.add_mutually_exclusive_group()
            shots.add_argument(
                "--snapshots",
                action="store_true",
                help="require a snapshot of every camera: exit 6 when one cannot be taken (default: best effort)",
            )
            shots.add_argument("--no-snapshots", action="store_true", help="send the camera list without frames")

    hourly = commands.add_parser("hourly", parents=[common], help="send the hour's customers, zones and cashiers")
    hourly.add_argument("--input", help="the store AI's numbers (JSON file, - for stdin); overrides [hourly] input")
    hourly.add_argument("--timestamp", help="the hour, YYYY-MM-DDTHH:00 UTC (default: the current hour)")

    install = commands.add_parser("install", help="put the seed's six script names (and this .pyz) into DIR")
    install.add_argument("dir", help="the store's data_sender folder, e.g. /opt/vislivis/data_sender")

    spool = commands.add_parser("spool", help="see or push what is waiting")
    spool_commands = spool.add_subparsers(dest="spool_command", required=True, metavar="ACTION")
    status = spool_commands.add_parser("status", parents=[common], help="what is waiting or was moved aside")
    status.add_argument("-v", "--verbose", action="store_true", help="list moved-aside entries")
    flush = spool_commands.add_parser("flush", parents=[common], help="send what is waiting now")
    flush.add_argument("--if-due", action="store_true", help="respect the back-off (for a cron line)")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    grabber: FrameGrabber = grab_frame,
    stdin: TextIO | None = None,
    max_ticks: int | None = None,
) -> int:
    """Run one command; the keyword arguments let tests replace the clock, sleeping and cameras."""
    args = build_parser().parse_args(argv)
    if args.command == "install":
        from senders.legacy.install import main as install

        return install([args.dir])
    report = Report(quiet=args.quiet)
    try:
        settings = resolve(args, os.environ if env is None else env)
    except ConfigError as exc:
        report.problem(f"error: {exc}", USAGE)
        return USAGE
    for warning in settings.warnings:
        report.warn(warning)
    ctx = Context(
        settings, report, sleep=sleep, clock=clock, grabber=grabber, stdin=stdin or sys.stdin, max_ticks=max_ticks
    )
    try:
        return run(args, ctx)
    except KeyboardInterrupt:
        report.info("stopped")
        return OK
    finally:
        ctx.close()


def run(args: argparse.Namespace, ctx: Context) -> int:
    from senders import heartbeat, hourly, setup_feed, spool_commands

    if args.command == "heartbeat":
        return heartbeat.run(ctx, interval_minutes=args.interval, once=args.once)
    if args.command == "hourly":
        return hourly.run(ctx, input_path=args.input, timestamp=args.timestamp)
    if args.command == "spool":
        return spool_commands.run(ctx, args)
    if args.command == "setup":
        return setup_feed.run(ctx, args)
    return send_feed(ctx, args.command, args.json)


def send_feed(ctx: Context, name: str, path: str) -> int:
    """customers / age-gender / heatmap / queue: read, check, send (or spool)."""
    feed = FEEDS[name]
    try:
        body = read_json(path, ctx.stdin)
    except ValueError as exc:
        ctx.report.problem(f"error: {exc}", USAGE)
        return USAGE
    body = prepare(feed, body, store=ctx.settings.store, now=_now(ctx))
    if not check(ctx, name, feed.errors(body)):
        return USAGE
    ctx.courier().deliver([Request(name, feed.endpoint, to_json(body), record_count(body))])
    return ctx.report.exit_code


def check(ctx: Context, label: str, errors: dict[str, list[str]]) -> bool:
    """Print the panel's own messages for a bad payload; True when there is nothing to complain about."""
    for field, messages in errors.items():
        ctx.report.problem(f"{label}: invalid {field}: {' '.join(messages)}", USAGE)
    if errors:
        ctx.report.problem(f"{label}: nothing sent (fix the payload and run again)", USAGE)
    return not errors


def to_json(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _now(ctx: Context):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ctx.clock(), timezone.utc)


if __name__ == "__main__":
    sys.exit(main())
