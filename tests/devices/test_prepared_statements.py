"""The statements marked ``prepare=True`` are prepared on the server, once per connection.

Django turns psycopg's prepared statements off unless the database's ``OPTIONS`` name a
``prepare_threshold``; psycopg then ignores ``execute(..., prepare=True)`` and every camera push
sent its INSERT as an unnamed statement, parsed and planned anew (~90 µs of backend CPU of a
~150 µs INSERT). These tests read the server's own list of the session's prepared statements.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tests.devices.conftest import sample
from vislivis.environment import PREPARE_THRESHOLD, database_options

pytestmark = pytest.mark.django_db


def prepared(pattern: str) -> list[tuple[str, int, int]]:
    """(text, generic plans, custom plans) of this session's prepared statements (psycopg's,
    not SQL PREPARE) whose text matches ``pattern``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND NOT from_sql",
            [pattern],
        )
        return cursor.fetchall()


def test_the_camera_push_runs_one_prepared_insert_per_connection(post_xml, store_a):
    for _ in range(3):
        assert post_xml(store_a, sample("metrics")).status_code == 200
    plans = prepared("%INSERT INTO devices_receiveddocument%FROM stores_store s WHERE s.ingest_key%")
    assert len(plans) == 1, "the push's INSERT was not prepared (or prepared more than once)"
    assert sum(plans[0][1:]) == 3  # each push executed the one prepared statement


def test_the_applier_prepares_its_statements_but_plans_the_batch_rollups_per_call(post_xml, store_a, store_b):
    """A batch's day rollups read arrays of its stores and hours: a generic plan cannot see their
    size, and the one PostgreSQL settled on took twice the time of a fresh plan (measured on
    the bench's drain). The lock statements and the counts stay prepared."""
    for store in (store_a, store_b):
        for _ in range(3):
            assert post_xml(store, sample("metrics")).status_code == 200  # applied inline, by the applier
    assert prepared("%INSERT INTO devices_minutecount%")  # the counts statement
    assert prepared("%pg_advisory_xact_lock%")  # the day rollups' locks
    assert not prepared("%FROM gone%"), "a day rollup's recompute was prepared"


def test_the_settings_turn_prepared_statements_on():
    assert settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] == PREPARE_THRESHOLD


def test_an_operator_can_turn_them_off_for_a_pooler_and_keep_the_url_options():
    database = {"NAME": "x", "OPTIONS": {"sslmode": "require"}}
    assert database_options(database, False)["OPTIONS"] == {"sslmode": "require", "prepare_threshold": None}
    assert database_options(database, True)["OPTIONS"] == {"sslmode": "require", "prepare_threshold": PREPARE_THRESHOLD}
    assert database == {"NAME": "x", "OPTIONS": {"sslmode": "require"}}  # the setting it was given is left alone
