"""Alert fixtures: rules of a brand, a counting device with a synthetic history."""

from __future__ import annotations

from datetime import datetime

import pytest

from alerts.models import AlertRule, Kind
from devices.models import Device, HourlyFootfall

EVERY_KIND = [kind.value for kind in Kind]


@pytest.fixture(autouse=True)
def _no_telegram_account(settings):
    settings.TELEGRAM_API_ID = 0
    settings.TELEGRAM_API_HASH = ""
    settings.ALERTS_REPEAT_MINUTES = 30
    settings.ALERTS_REPEAT_MAX_MINUTES = 240


@pytest.fixture
def make_rule():
    def make(tenant, recipient: str = "ops@boyner.example", channel: str = "email", kinds=None, stores=(), **extra):
        rule = AlertRule.objects.create(
            tenant=tenant,
            name=f"{tenant.name} {recipient}",
            channel=channel,
            recipient=recipient,
            kinds=list(kinds if kinds is not None else EVERY_KIND),
            **extra,
        )
        rule.stores.set(stores)
        return rule

    return make


def make_device(store, device_id: str = "CAM-1", last_seen: datetime | None = None, name: str = "Main door") -> Device:
    # A camera whose counts arrive: its last document was data (devices.health decides on data alone).
    return Device.objects.create(
        store=store, device_id=device_id, name=name, first_seen=last_seen, last_seen=last_seen, last_data_at=last_seen
    )


def load_series(device: Device, series: dict[datetime, int]) -> None:
    HourlyFootfall.objects.bulk_create(
        HourlyFootfall(store_id=device.store_id, device=device, object_type=0, hour=hour, enters=count)
        for hour, count in series.items()
    )
