"""``spool status`` and ``spool flush``."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from senders.context import Context
from senders.report import OK, plural


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.spool_command == "flush":
        courier = ctx.courier()
        waiting = ctx.spool.count(courier.account)
        if not waiting:
            ctx.report.info(f"spool: nothing waiting for {courier.account}")
            return OK
        ctx.report.info(f"spool: sending {plural(waiting, 'waiting request')} for {courier.account} to {courier.url}")
        courier.flush(only_if_due=args.if_due, announce_earlier=set())
        courier.summary()
        return ctx.report.exit_code
    return status(ctx, verbose=args.verbose)


def status(ctx: Context, *, verbose: bool) -> int:
    info = ctx.spool.status()
    ctx.report.info(f"spool: {ctx.spool.path}")
    if not info["waiting"]:
        ctx.report.info("waiting: nothing")
    for account, feed, requests, records, oldest, attempts in info["waiting"]:
        ctx.report.info(
            f"waiting: {feed}: {plural(requests, 'request')} ({plural(records, 'record')}) for {account}, "
            f"oldest {_when(oldest)}, tried {plural(attempts, 'time')}"
        )
    for account, failures, next_at in info["backoff"]:
        ctx.report.info(
            f"back-off: {account}: {plural(failures, 'failed attempt')}, next automatic try {_when(next_at)}"
        )
    ctx.report.info(f"moved aside: {info['moved_aside_total']} (never retried; see spool status -v)")
    if verbose:
        for entry_id, feed, moved_at, reason in info["moved_aside"]:
            ctx.report.info(f"  #{entry_id} {feed} at {_when(moved_at)}: {reason}")
    return OK
