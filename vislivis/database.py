"""A psycopg cursor on Django's connection, for the statements written for server-side binding.

Why one helper: the hot and the set-based statements (camera push, applier, rollups, brand
reads) bind their parameters on the server and run as prepared statements, which Django's
cursor wrapper does not offer. A bare ``psycopg.Cursor(connection.connection)`` raised the
driver's own errors: a connection the server had dropped (a restart, an idle-session kill, a
failover) made a push a 500 instead of the 503 every other database outage gives, and,
because Django never saw the error, the broken connection stayed in use until its
``CONN_MAX_AGE`` ran out. Inside Django's ``wrap_database_errors`` the driver's errors are
Django's (``OperationalError`` and friends, as the 503 middleware expects) and mark the
connection, which Django then closes after the request (``close_old_connections``); the next
request connects anew (``tests/devices/test_ingest_connection_lost.py``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection


@contextmanager
def server_bound_cursor() -> Iterator[psycopg.Cursor]:
    """A psycopg cursor (server-side binding; ``execute(..., prepare=True)`` plans a text once
    per connection) on the default connection, with its errors raised as Django's."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


# One cursor per psycopg connection for the camera push's statements: a new psycopg cursor (its
# adaptation context, its state) cost ~25 µs of the push's ~80 µs INSERT round trip on the
# client side. Keyed weakly by the connection, so a connection Django closes or replaces (a
# reconnect after an error) takes its cursor with it; Django's connections are per thread, so
# each cursor is too.
_kept_cursors: weakref.WeakKeyDictionary[psycopg.Connection, psycopg.Cursor] = weakref.WeakKeyDictionary()


@contextmanager
def kept_cursor() -> Iterator[psycopg.Cursor]:
    """:func:`server_bound_cursor`, but the same cursor each time on the same connection (for
    one statement at a time, each read in full before the next: the hot path's INSERTs)."""
    connection.ensure_connection()
    raw = connection.connection
    cursor = _kept_cursors.get(raw)
    if cursor is None or cursor.closed:
        cursor = _kept_cursors[raw] = psycopg.Cursor(raw)
    with connection.wrap_database_errors:
        yield cursor
