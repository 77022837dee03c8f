"""Signals the feeds send and the rollups built on them receive.

Why here: the feeds (camera counts in ``devices``, sender counts in ``analytics``, tills in
``sales``) and the rollups that combine them (the business days of ``analytics.storedays``) must
not import each other, or every feed would depend on every rollup and back. Both sides import
the floor (``stores``) instead: a feed says which store hours it changed, in the transaction
that changed them, and each rollup refreshes what it keeps of those hours in the same
transaction, so a crash can never leave a rollup behind its hourly rows.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.dispatch import Signal

CAMERA = "camera"
SENDER = "sender"

# kwargs: source (CAMERA or SENDER), hours ({store id: sorted UTC hour starts}). Sent inside the
# writing transaction after the hourly rows changed; receivers run their statements in it.
hourly_counts_changed = Signal()

# kwargs: store_ids (list of store ids). Sent after bulk writes that send no per-hour news (demo
# loaders, bench loaders): receivers rebuild everything they keep of those stores.
hourly_counts_replaced = Signal()

_batched: contextvars.ContextVar[bool] = contextvars.ContextVar("hourly_writes_batched", default=False)


@contextmanager
def hourly_writes_batched() -> Iterator[None]:
    """Within this block a feed writes hourly rows one by one through the ORM and announces them
    once afterwards (``hourly_counts_changed``): rollups' per-row ``post_save`` receivers skip."""
    token = _batched.set(True)
    try:
        yield
    finally:
        _batched.reset(token)


def is_batched() -> bool:
    return _batched.get()
