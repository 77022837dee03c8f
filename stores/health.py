"""What the store's health is made of, contributed by the apps that know (stores imports none).

``stores`` is the floor every feature stands on, so it cannot ask the devices or analytics apps
for their part of ``GET /api/stores/<id>/health``. Instead they register it here from their
``AppConfig.ready``:

- ``register_section(name, read)``: ``read(store, now)`` becomes the response's key ``name``
  (``devices`` → the cameras' states, ``sender_clock`` → the sender's clock estimate);
- ``register_store_note(note)``: ``note(store, now)`` returns a short warning or ``""``, shown
  in the console's store list (e.g. "+03:00 — sender clock looks like local time sent as UTC").

Sections come in registration order (``INSTALLED_APPS`` order), after ``store`` and ``store_ai``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from stores.models import Store

Section = Callable[[Store, datetime], Any]
Note = Callable[[Store, datetime], str]

_sections: dict[str, Section] = {}
_notes: dict[str, Note] = {}


def register_section(name: str, read: Section) -> None:
    """Add (or replace, on a repeated ``ready``) the health section ``name``."""
    if name in {"store", "store_ai"}:
        raise ValueError(f"{name!r} is the stores app's own part of the health response.")
    _sections[name] = read


def register_store_note(name: str, note: Note) -> None:
    _notes[name] = note


def sections() -> dict[str, Section]:
    return dict(_sections)


def store_notes(store: Store, now: datetime) -> list[str]:
    """The registered warnings that apply to ``store`` now (one small query each)."""
    return [text for note in _notes.values() if (text := note(store, now))]
