"""Settings of the devices app: ``django.conf.settings`` first, then the environment, then a default.

The shared settings modules do not name these, so the environment (or ``.env``, which
django-environ loads into it) still works without editing ``vislivis/settings``.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_DOCUMENT_RETENTION_DAYS = 30


def _positive_int(name: str, default: int) -> int:
    raw = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name) or default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a whole number of days, not {raw!r}.") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1.")
    return value


def document_retention_days() -> int:
    """Days a received camera document (raw body) is kept before the purge deletes it."""
    return _positive_int("DEVICE_DOCUMENT_RETENTION_DAYS", DEFAULT_DOCUMENT_RETENTION_DAYS)


def max_body_bytes() -> int:
    """The request body limit shared by every API endpoint (SPEC: 1 MiB)."""
    return int(getattr(settings, "MAX_REQUEST_BODY_BYTES", 1024 * 1024))


DEFAULT_MINUTE_RETENTION_DAYS = 400


def minute_retention_days() -> int:
    """Days minute counts are kept (their hourly sums are kept for good). A count older than this
    is not applied: its minute's partition may be gone, and re-adding it would double its hour."""
    return _positive_int("DEVICE_MINUTE_RETENTION_DAYS", DEFAULT_MINUTE_RETENTION_DAYS)


def apply_inline() -> bool:
    """Whether a push is applied in its own request right after it is kept (``DEVICES_APPLY_INLINE``).

    Off in every deployment: the ``apply_documents`` process applies in batches. The test suite
    turns it on so a test that pushes sees the counts at once, through the same applier code.
    """
    return bool(getattr(settings, "DEVICES_APPLY_INLINE", False))
