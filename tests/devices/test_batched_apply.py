"""devices.applier: applying documents in batches gives exactly what applying them one by one gives.

The same random documents (late, equal and newer TransmitTimes, out-of-order hours, duplicate
keys within a document) are applied for one device one at a time (a batch of one each, in the
order received, as the suite's inline mode does) and for another device all kept first and then
applied in batches of random sizes, so supersedes within a batch are coalesced; counts, rollups,
device properties and the kept documents must be identical.
"""

from __future__ import annotations

import itertools
import random

from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices import applier
from devices.models import Device, HourlyFootfall, MinuteCount, ReceivedDocument
from devices.services import MEASURES, ingest_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml
from tests.devices.test_services import BASE, random_document


def _batched(pushes: list[tuple], rng: random.Random) -> None:
    """Keep every push first, then apply them in batches of random sizes."""
    with override_settings(DEVICES_APPLY_INLINE=False):
        for store, body, received in pushes:
            assert ingest_document(store, body, received_at=received).accepted
        while applier.apply_batch(rng.randint(1, 12)):
            pass


def _state(device: Device) -> dict:
    minutes = {
        (r.object_type, r.period_start): (r.interval, *(getattr(r, m) for m in MEASURES), r.status, r.transmit_time)
        for r in MinuteCount.objects.filter(device=device)
    }
    hours = {(r.object_type, r.hour): tuple(getattr(r, m) for m in MEASURES) for r in device.hourly.all()}
    docs = list(device.documents.order_by("received_at", "pk").values_list("kind", "records", "outcome", "size"))
    fields = ("name", "site_id", "site_name", "mac_address", "sw_release", "timezone_hours", "dst", "last_seen")
    return {"minutes": minutes, "hours": hours, "docs": docs, "device": [getattr(device, f) for f in fields]}


def test_batches_and_one_at_a_time_store_the_same_counts_rollups_and_documents(store_a):
    rng = random.Random(9)
    now = timezone.now()
    pushes = []
    for i in range(40):
        transmit = BASE + rng.randint(0, 400)
        body = random_document(rng, transmit=transmit).replace(b'DeviceId="', b'DeviceId="fast-', 1)
        received = now.replace(microsecond=0) + timezone.timedelta(seconds=rng.randint(0, 30) + i)
        assert ingest_document(store_a, body, received_at=received).accepted
        pushes.append((store_a, body.replace(b'DeviceId="fast-', b'DeviceId="orms-', 1), received))
    _batched(pushes, rng)
    fast = Device.objects.get(store=store_a, device_id__startswith="fast-")
    orm = Device.objects.get(store=store_a, device_id__startswith="orms-")
    fast_state, orm_state = _state(fast), _state(orm)
    assert fast_state == orm_state
    assert not ReceivedDocument.objects.filter(outcome="pending").exists()
    assert len(fast_state["hours"]) >= 6
    sums: dict = {}
    for (object_type, start), values in fast_state["minutes"].items():
        key = (object_type, start.replace(minute=0))
        sums[key] = tuple(a + b for a, b in zip(sums.get(key, (0, 0, 0, 0)), values[1:5], strict=True))
    assert fast_state["hours"] == sums


def test_duplicate_keys_in_one_document_keep_the_later_count(store_a):
    counts = [count_xml(unix=BASE, enters="1"), count_xml(unix=BASE, enters="7")]
    body = document(device_id="dup", transmit=BASE + 60, reports=[report_xml(objects=[object_xml("0", counts)])])
    result = ingest_document(store_a, body)
    assert (result.accepted, result.records, result.applied) == (True, 2, 1)
    assert list(MinuteCount.objects.values_list("enters", flat=True)) == [7]
    assert list(HourlyFootfall.objects.values_list("enters", flat=True)) == [7]
    assert ReceivedDocument.objects.get(pk=result.document_id).applied == 1


def test_older_push_changes_nothing_and_lowering_a_count_lowers_the_hour(store_a):
    def push(transmit: int, enters: str) -> int:
        counts = [count_xml(unix=BASE, enters=enters), count_xml(unix=BASE + 60, enters="2")]
        body = document(device_id="d", transmit=transmit, reports=[report_xml(objects=[object_xml("0", counts)])])
        return ingest_document(store_a, body).applied

    assert push(BASE + 100, "9") == 2
    assert push(BASE + 50, "1") == 0  # older: superseded before it arrived
    assert list(HourlyFootfall.objects.values_list("enters", flat=True)) == [11]
    assert push(BASE + 200, "3") == 2  # newer and smaller: the hour goes down, never below zero
    assert list(HourlyFootfall.objects.values_list("enters", flat=True)) == [5]
    assert Device.objects.get().last_document_kind == "Metrics"


# Boundary values a parser accepts: both ways must store them alike (no DataError on one side).
_edge_counts = st.lists(
    st.tuples(
        st.sampled_from(["0", "1", "2"]),
        st.sampled_from([946684800, 946684800 + 60, 1667806020, 4102444740, 4102444799]),  # 2000 .. 2099-12-31
        st.sampled_from(["0", "1", "999999", "1000000"]),
        st.sampled_from(["-2147483648", "0", "4", "2147483647"]),
    ),
    min_size=1,
    max_size=6,
)
_example = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    counts=_edge_counts,
    transmit=st.sampled_from([946684800, 1667806920, 4102444799]),
    interval=st.sampled_from(["1", "60", "1440"]),
)
def test_batches_store_boundary_values_as_one_at_a_time_does(store_a, counts, transmit, interval):
    number = next(_example)
    objects = [
        object_xml(t, [count_xml(unix=u, enters=v, exits=v, passings=v, returns=v, status=s)]) for t, u, v, s in counts
    ]
    body = document(
        device_id=f"fast-{number}", transmit=transmit, interval=interval, reports=[report_xml(objects=objects)]
    )
    received = timezone.now()
    assert ingest_document(store_a, body, received_at=received).accepted
    _batched([(store_a, body.replace(b'DeviceId="fast-', b'DeviceId="orms-', 1), received)], random.Random(number))
    fast = Device.objects.get(store=store_a, device_id=f"fast-{number}")
    orm = Device.objects.get(store=store_a, device_id=f"orms-{number}")
    assert _state(fast) == _state(orm)
