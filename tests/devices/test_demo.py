"""devices.demo.load: two cameras of minute counts with a consistent hourly rollup, idempotent."""

from __future__ import annotations

from django.db.models import Sum

from devices.demo import load
from devices.models import Device, HourlyFootfall, MinuteCount


def test_demo_load_is_consistent_and_idempotent(store_a):
    first = load(store_a, days=2)
    assert first == MinuteCount.objects.count()
    assert sorted(Device.objects.values_list("device_id", flat=True)) == ["CAM-ENTRANCE-1", "CAM-ENTRANCE-2"]
    for object_type in (0, 1, 2):
        minutes = MinuteCount.objects.filter(object_type=object_type).aggregate(e=Sum("enters"), x=Sum("exits"))
        hours = HourlyFootfall.objects.filter(object_type=object_type).aggregate(e=Sum("enters"), x=Sum("exits"))
        assert minutes == hours
    assert load(store_a, days=2) == MinuteCount.objects.count()
    assert set(
        MinuteCount.objects.filter(device__device_id="CAM-ENTRANCE-2").values_list("object_type", flat=True)
    ) <= {0}
