"""Whether a camera's counts are arriving: ``online``, ``refusing`` or ``silent``.

A Diags heartbeat says the camera is up, not that its counts reach the platform. So the state
is decided by data documents (``Metrics``, ``RTMetrics``) alone, within the store's inactivity
timeout ``T`` (``Store.inactivity_timeout_minutes``), from three columns the ingest path keeps
on ``Device``:

- ``refusing``: the last data document after the last accepted one was refused, less than
  ``T`` ago (``last_refused_at > last_data_at``, or no accepted data ever, and
  ``now − last_refused_at ≤ T``). Red, with the reason and the kept document.
- ``online``: an accepted data document less than ``T`` ago and no refusal since.
- ``silent``: neither: no data document (accepted or refused) for longer than ``T``. A camera
  that still sends Diags is silent too (``heard`` tells it apart from one that sends nothing):
  no counts arrive, which is what a store loses, whatever keeps the camera's heartbeat going.

A refused document counts as a refused *data* document unless its root element is ``Diags``
(a malformed body has no trustworthy root: it may have been counts, so it counts). A refused
heartbeat loses no counts and changes no state (it stays in the console).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse

ONLINE, REFUSING, SILENT = "online", "refusing", "silent"
STATES = (ONLINE, REFUSING, SILENT)

_ROOT_SNIFF = re.compile(rb"<\s*([A-Za-z_][\w.-]*)[\s/>]")


def sniff_root(body: bytes) -> str:
    """The first element's name of a body that did not parse ("" when none), skipping the
    XML declaration, comments and processing instructions."""
    head = re.sub(rb"<[?!][^>]*>", b"", body[:4096])
    match = _ROOT_SNIFF.search(head)
    return match.group(1).decode("ascii", "replace") if match else ""


def is_data_kind(kind: str) -> bool:
    """Whether a document of this root (``""`` when unknown) may carry counts."""
    return kind != "Diags"


def state_of(last_data_at: datetime | None, last_refused_at: datetime | None, now: datetime, timeout: timedelta) -> str:
    """The rule of the module docstring, as a pure function (the one place it is decided)."""
    if last_refused_at is not None and (last_data_at is None or last_refused_at > last_data_at):
        return REFUSING if now - last_refused_at <= timeout else SILENT
    if last_data_at is not None and now - last_data_at <= timeout:
        return ONLINE
    return SILENT


def online_q(now: datetime, timeout: timedelta) -> Q:
    """``state_of(...) == "online"`` as a filter on ``Device``, for counts in the database."""
    no_refusal_since = Q(last_refused_at__isnull=True) | Q(last_refused_at__lte=F("last_data_at"))
    return Q(last_data_at__gte=now - timeout) & no_refusal_since


def document_console_url(document_id: int) -> str:
    """The kept document's page in the brand console (view only; replay from its list)."""
    try:
        return reverse("admin:devices_receiveddocument_change", args=[document_id])
    except NoReverseMatch:  # a deployment without the console
        return ""


def health_fields(device: Any, now: datetime, timeout: timedelta) -> dict[str, Any]:
    """``state``, ``online``, ``heard``, ``last_data_at`` and ``refusal`` of one device row."""
    state = state_of(device.last_data_at, device.last_refused_at, now, timeout)
    refusal = None
    if state == REFUSING:
        document_id = device.last_refused_document_id
        refusal = {
            "reason": device.last_refusal_reason,
            "document_id": document_id,
            "received_at": device.last_refused_at.isoformat(),
            "console_url": document_console_url(document_id) if document_id else "",
        }
    return {
        "state": state,
        "online": state == ONLINE,
        # Any accepted document (a Diags too) within the timeout: up, whether or not counts flow.
        "heard": now - device.last_seen <= timeout,
        "last_data_at": device.last_data_at.isoformat() if device.last_data_at else None,
        "refusal": refusal,
    }
