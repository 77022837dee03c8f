"""The demo's blocked counter: one store only, shown at once, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone
from freezegun import freeze_time

from alerts import demo
from alerts.models import AlertRule, Condition
from alerts.selectors import store_findings
from devices.models import Device, HourlyFootfall
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("utc_time", ["2026-02-16 01:30", "2026-02-16 07:45", "2026-02-16 11:30", "2026-02-16 18:40"])
def test_demo_blocks_one_counter_of_the_main_store_only(tenant_a, store_a2, utc_time):
    with freeze_time(utc_time):
        check_demo(tenant_a, store_a2)


def check_demo(tenant_a, store_a2):
    main = StoreFactory(tenant=tenant_a, name="AVM İstanbul", code=demo.BLOCKED_STORE_CODE)
    assert demo.load(store_a2, days=7) == 0
    first = demo.load(main, days=7)
    assert demo.load(main, days=7) == first  # the same rows again, not twice as many

    device = Device.objects.get(store=main)
    assert HourlyFootfall.objects.filter(device=device).count() == first
    assert not Device.objects.filter(store=store_a2).exists()
    [finding] = [f for f in store_findings(main, timezone.now()) if f.level == "blocked"]
    assert (finding.source, finding.ongoing, finding.counted) == ("camera:CAM-PARKING-3", True, 0)
    assert len(finding.hours) >= demo.BLOCKED_HOURS
    condition = Condition.objects.get(kind="anomaly", active=True)
    assert (condition.store, condition.label) == (main, "Car park entrance")
    assert AlertRule.objects.filter(tenant=tenant_a).count() == 1
