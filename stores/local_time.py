"""A moment as a store's wall clock, the zone named: ``2026-12-01 22:10:05 (Europe/Istanbul)``.

The console (``stores.admin_times``) and the models' ``__str__`` (which the console shows as
object names) write times this way: ISO order in every language, never an unnamed UTC.
An object's store is found along its foreign keys; without one the time is UTC, named.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Model
from django.utils import timezone

if TYPE_CHECKING:
    from stores.models import Store

# How far along foreign keys the store of an object is looked for (PersonEvent → site → store).
STORE_SEARCH_DEPTH = 3
NO_STORE_ZONE = "UTC"


@cache
def store_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its store (``""`` for a Store itself), or ``None``.

    Breadth first along forward foreign keys and one-to-one fields, so the shortest path wins
    (``site__store`` rather than ``file__site__store``).
    """
    from stores.models import Store  # models import this module for their __str__

    if model is Store:
        return ""
    frontier: list[tuple[str, type[Model]]] = [("", model)]
    for _ in range(STORE_SEARCH_DEPTH):
        following = []
        for prefix, current in frontier:
            for field in current._meta.get_fields():
                if not (field.concrete and field.is_relation and (field.many_to_one or field.one_to_one)):
                    continue
                path = f"{prefix}__{field.name}" if prefix else field.name
                if field.related_model is Store:
                    return path
                following.append((path, field.related_model))
        frontier = following
    return None


def store_of(obj: Model | None) -> Store | None:
    if obj is None:
        return None
    path = store_path(type(obj))
    if path is None:
        return None
    current = obj
    for part in filter(None, path.split("__")):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def zone_of(obj: Model | None) -> str:
    """The name of the time zone ``obj`` is shown in: its store's, else UTC."""
    store = store_of(obj)
    name = store.timezone if store is not None else NO_STORE_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return NO_STORE_ZONE
    return name


def local_time(value: datetime | None, zone: str) -> str | None:
    """``2026-12-01 22:10:05 (Europe/Istanbul)``: ISO order in every language, the zone named."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M:%S} ({zone})"


def stamp(obj: Model, value: datetime | None) -> str:
    """``value`` in ``obj``'s store time, for an object's name (``"?"`` when there is none)."""
    return local_time(value, zone_of(obj)) or "?"
