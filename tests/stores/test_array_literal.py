"""``stores.reporting.array_literal``: a list sent as one text parameter reads back as the list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import connection

from stores.reporting import array_literal, array_params


def read_back(values: list, sql_type: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{sql_type}[]", [array_literal(values)])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_element_type_reads_back_as_it_was():
    assert read_back([1, -2, 9_000_000_000, None], "bigint") == [1, -2, 9_000_000_000, None]
    assert read_back([True, False, None], "bool") == [True, False, None]
    days = [date(2026, 3, 2), None, date(2025, 12, 31)]
    assert read_back(days, "date") == days
    moments = [datetime(2026, 3, 1, 21, tzinfo=UTC), datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=3)))]
    assert read_back(moments, "timestamptz") == moments
    texts = ["sender", "America/New_York", 'a "quoted", {braced} \\ text', "NULL", "", " padded "]
    assert read_back(texts, "text") == texts
    assert read_back([], "int") == []


def test_only_lists_become_literals():
    assert array_params({"stores": [3, 1], "source": "sender", "day": date(2026, 3, 2)}) == {
        "stores": "{3,1}",
        "source": "sender",
        "day": date(2026, 3, 2),
    }
