"""``manage.py apply_documents``: the applier process (``devices.applier``), run beside the web nodes.

Several may run at once, on one machine or several: each batch claims its documents with
``FOR UPDATE SKIP LOCKED``. SIGTERM or SIGINT stop it after the current batch; SIGKILL loses
nothing either (the batch's transaction rolls back and its documents are taken again).
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devices import applier

log = logging.getLogger("devices.applier")

SUMMARY_SECONDS = 60.0
ERROR_PAUSE_SECONDS = 1.0


class Command(BaseCommand):
    help = "Apply pending camera documents in batches until stopped (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=applier.DEFAULT_BATCH, help="Documents per batch")
        parser.add_argument(
            "--idle-seconds", type=float, default=0.2, help="Sleep after a batch that drained the backlog"
        )
        parser.add_argument("--once", action="store_true", help="Apply until nothing is pending, then exit")

    def handle(self, *args, batch: int, idle_seconds: float, once: bool, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        if not 0 < idle_seconds <= 60:
            raise CommandError("--idle-seconds must be more than 0 and at most 60.")
        if once:
            self.stdout.write(f"Applied {applier.drain(batch)} documents.")
            return
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("Applier started (batch %d, idle %.2f s)", batch, idle_seconds)
        applied = batches = 0
        summary_at = time.monotonic() + SUMMARY_SECONDS
        while not stopping:
            try:
                taken = applier.apply_batch(batch)
            except applier.DATABASE_ERRORS:
                # The database went away or a batch failed as a whole: its documents stay pending.
                log.exception("Apply batch failed; retrying in %.0f s", ERROR_PAUSE_SECONDS)
                connection.close()  # a broken connection is opened anew by the next batch
                time.sleep(ERROR_PAUSE_SECONDS)
                continue
            if taken:
                applied += taken
                batches += 1
                log.debug("Applied a batch of %d documents", taken)
            if taken < batch:
                # The backlog is drained: let the next batch gather for a moment instead of
                # claiming the few pushes of the last milliseconds. A batch's fixed work (device
                # locks, the day rollups of its stores) is then shared by many documents, and
                # more of a camera's supersedes fall into one batch; the lag grows by at most this.
                time.sleep(idle_seconds)
            if time.monotonic() >= summary_at:
                state = applier.backlog()
                log.info(
                    "Applied %d documents in %d batches in the last %.0f s; %d pending, lag %.1f s",
                    applied,
                    batches,
                    SUMMARY_SECONDS,
                    state.pending,
                    state.lag_seconds(),
                )
                applied = batches = 0
                summary_at = time.monotonic() + SUMMARY_SECONDS
        log.info("Applier stopped")
