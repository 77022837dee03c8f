"""A Celery beat scheduler that refuses to run twice at once.

Plain beat has no lock: two beat processes (a scaled compose service, a restart overlapping the
old container) send every periodic task twice. ``SingleBeatScheduler`` takes a Redis lock before
it loads the schedule and renews it on every tick; a second beat blocks on the lock as a warm
standby and takes over within ``LOCK_TTL_SECONDS`` when the first one dies. A beat that loses
its lock (Redis flushed, process frozen past the TTL) stops instead of sending, and the
container restart puts it back in the queue for the lock.

Without Redis (the embedded default runs tasks inline and no beat at all) it is the plain
persistent scheduler.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)
LOCK_KEY = "vislivis:celery-beat:lock"
LOCK_TTL_SECONDS = 60
# Renew well inside the TTL: beat sleeps at most this long between ticks.
RENEW_EVERY_SECONDS = LOCK_TTL_SECONDS / 4


def lock_redis_url(broker_url: str, redis_url: str) -> str | None:
    """The Redis that holds the lock: the broker's when it is Redis, else the cache's."""
    for url in (broker_url, redis_url):
        if url and urlsplit(url).scheme in {"redis", "rediss"}:
            return url
    return None


@contextmanager
def _stop_on_sigterm():
    """While waiting for the lock, SIGTERM/SIGINT end the process at once with exit code 0.

    Celery's handler would ask the service to sync its scheduler, which is this one, still being
    built: it waited for the lock again inside the handler, and the container was killed after
    its stop timeout (exit 137). A standby has nothing to save, so it skips the interpreter's
    teardown too (measured here: ~9 s of garbage collection, close to compose's 10 s timeout).
    """

    def stop(signum: int, frame: object) -> None:
        logger.info("beat: stopped by signal %s while waiting for the lock", signum)
        logging.shutdown()
        os._exit(0)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stopping_cleanly() -> bool:
    """Beat is closing because it was told to stop (SIGTERM: Celery calls ``close`` from its
    handler, nothing in flight), not because an exception is unwinding it."""
    exc = sys.exc_info()[1]
    return exc is None or isinstance(exc, KeyboardInterrupt) or (isinstance(exc, SystemExit) and exc.code in (0, None))


def _exit_now() -> None:
    """The last exit handler of a cleanly stopped beat: schedule synced, lock released, logs
    flushed; skip the interpreter's teardown (measured here: ~9-13 s, past compose's 10 s stop
    timeout, so the container was SIGKILLed with exit 137)."""
    logging.shutdown()
    os._exit(0)


class SingleBeatScheduler(PersistentScheduler):
    """``PersistentScheduler`` behind a Redis lock (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        self._lock = None
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        self._acquire()
        super().setup_schedule()

    def _acquire(self) -> None:
        from django.conf import settings

        url = lock_redis_url(self.app.conf.broker_url or "", getattr(settings, "REDIS_URL", ""))
        if url is None:
            logger.warning("beat: no Redis configured, running without the single-beat lock")
            return
        import redis

        client = redis.Redis.from_url(url)
        self._lock = client.lock(LOCK_KEY, timeout=LOCK_TTL_SECONDS, thread_local=False)
        owner = f"{socket.gethostname()}:{os.getpid()}"
        if not self._lock.acquire(blocking=False):
            holder = client.get(LOCK_KEY + ":owner")
            logger.warning("beat: another beat holds the lock (%s); waiting to take over", holder)
            with _stop_on_sigterm():
                self._lock.acquire(blocking=True, sleep=1.0)
        client.set(LOCK_KEY + ":owner", owner, ex=LOCK_TTL_SECONDS)
        self._owner_client = client
        logger.info("beat: lock acquired by %s; this is the only beat sending tasks", owner)

    def tick(self, *args, **kwargs) -> float:
        if self._lock is not None:
            from redis.exceptions import LockError

            try:
                self._lock.reacquire()
            except LockError:
                logger.error("beat: lost the single-beat lock; stopping so that no task is sent twice")
                raise SystemExit(1) from None
            self._owner_client.expire(LOCK_KEY + ":owner", LOCK_TTL_SECONDS)
        return min(super().tick(*args, **kwargs), RENEW_EVERY_SECONDS)

    def close(self) -> None:
        clean = _stopping_cleanly()
        try:
            super().close()
            if clean:
                atexit.register(_exit_now)
        finally:
            if self._lock is not None:
                try:
                    self._lock.release()
                    self._owner_client.delete(LOCK_KEY + ":owner")
                except Exception:  # noqa: BLE001 - an expired lock needs no release
                    logger.info("beat: lock already gone at shutdown")
                self._lock = None
