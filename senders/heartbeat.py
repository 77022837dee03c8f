"""``heartbeat``: ping the panel every few minutes and push the spool whenever it answers.

The seed runs ``heartbeat_sender.py`` both as a loop (``--interval 5``) and from cron every
five minutes. Both work: a loop holds a lock in the spool folder, so a cron-started copy that
finds one running exits at once (cron then acts as a watchdog that restarts a dead loop).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone

from senders import __version__
from senders import client as c
from senders.context import Context
from senders.feeds import HEARTBEAT_ENDPOINT
from senders.report import AUTH, OK, REJECTED, UNREACHABLE, USAGE


def run(ctx: Context, *, interval_minutes: float, once: bool) -> int:
    if interval_minutes <= 0:
        ctx.report.problem("error: --interval must be more than 0 minutes", USAGE)
        return USAGE
    if once:
        return tick(ctx)
    with single_instance(ctx) as acquired:
        if not acquired:
            ctx.report.info("heartbeat: another heartbeat loop is already running for this account; exiting")
            return OK
        ticks = 0
        while True:
            code = tick(ctx)
            ctx.report.codes.clear()  # each tick of a loop reports for itself
            ticks += 1
            if ctx.max_ticks is not None and ticks >= ctx.max_ticks:
                return code
            ctx.sleep(interval_minutes * 60)


def tick(ctx: Context) -> int:
    """One heartbeat; when the panel answered, the spool is flushed at once (it is reachable)."""
    client = ctx.client()
    waiting = ctx.spool.count(client.credentials.account)
    body = {"client": f"vislivis-senders/{__version__}", "spool_waiting": waiting}
    if ctx.settings.store:
        body["store"] = ctx.settings.store
    outcome = client.post(HEARTBEAT_ENDPOINT, json.dumps(body))
    stamp = datetime.fromtimestamp(ctx.clock(), timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    if outcome.kind == c.SENT:
        ctx.report.info(f"heartbeat: ok at {stamp} (store {_store(outcome.body)})")
        if waiting:
            ctx.courier(client).flush()
        return ctx.report.exit_code
    code = {c.AUTH: AUTH, c.REJECTED: REJECTED}.get(outcome.kind, UNREACHABLE)
    ctx.report.problem(f"heartbeat: FAILED at {stamp}: {outcome.message}", code)
    return code


def _store(body: object) -> str:
    return str(body.get("store", "?")) if isinstance(body, dict) else "?"


@contextlib.contextmanager
def single_instance(ctx: Context) -> Iterator[bool]:
    try:
        import fcntl
    except ImportError:  # Windows: no cron there either; run one loop as a service
        yield True
        return
    account = ctx.settings.credentials.account.replace("/", "_").replace(":", "_")
    lock_path = ctx.settings.spool_dir / f"heartbeat-{account}.lock"
    ctx.settings.spool_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
