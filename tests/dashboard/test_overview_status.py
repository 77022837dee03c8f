"""Devices and offline devices per store, counted by the database with each store's timeout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devices.models import Device
from devices.overview import device_status_by_store
from tests.factories import StoreFactory

NOW = datetime(2026, 3, 10, 12, 0, 0, 500_000, tzinfo=UTC)


def device(store, name: str, silent_for: timedelta) -> Device:
    return Device.objects.create(
        store=store,
        device_id=name,
        name=name,
        first_seen=NOW,
        last_seen=NOW - silent_for,
        last_data_at=NOW - silent_for,
    )


@pytest.fixture
def stores(tenant_a):
    short = StoreFactory(tenant=tenant_a, code="short", name="Short", inactivity_timeout_minutes=5)
    long = StoreFactory(tenant=tenant_a, code="long", name="Long", inactivity_timeout_minutes=60)
    empty = StoreFactory(tenant=tenant_a, code="empty", name="Empty", inactivity_timeout_minutes=5)
    return short, long, empty


def test_seen_exactly_at_the_timeout_is_online(stores):
    short, _, _ = stores
    device(short, "at", timedelta(minutes=5))  # now - last_seen == timeout: online
    device(short, "past", timedelta(minutes=5, microseconds=1))
    device(short, "fresh", timedelta(seconds=0))
    assert device_status_by_store([short], NOW) == {short.pk: (3, 1)}


def test_each_store_uses_its_own_timeout(stores, django_assert_num_queries):
    short, long, empty = stores
    for store in (short, long):
        device(store, "10min", timedelta(minutes=10))
        device(store, "2h", timedelta(hours=2))
        device(store, "1min", timedelta(minutes=1))
    device(long, "60min", timedelta(minutes=60))
    # One query whatever the number of stores and of distinct timeouts (here 5 and 60 minutes).
    with django_assert_num_queries(1):
        status = device_status_by_store([short, long, empty], NOW)
    assert status == {short.pk: (3, 2), long.pk: (4, 1), empty.pk: (0, 0)}


def test_other_stores_devices_are_not_counted(stores, store_b):
    short, _, _ = stores
    device(store_b, "foreign", timedelta(hours=1))
    assert device_status_by_store([short], NOW) == {short.pk: (0, 0)}
    assert device_status_by_store([], NOW) == {}
