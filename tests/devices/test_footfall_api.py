"""GET /api/stores/<id>/footfall: camera counts in the store's local hours and days."""

from __future__ import annotations

from datetime import date

import pytest

from devices.selectors import footfall_series
from devices.services import ingest_document
from stores.api.params import parse_report_range
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample


def push(
    store,
    device_id: str,
    day: str,
    starts_enters: list[tuple[str, int]],
    object_type: str = "0",
    timezone: str = "0",
    transmit: int = 1700000000,
):
    """Counts at UTC (timezone 0) local times ``HH:MM:SS`` of ``day``."""
    body = document(
        device_id=device_id,
        timezone=timezone,
        transmit=transmit,
        reports=[
            report_xml(
                day,
                [
                    object_xml(
                        object_type,
                        [
                            count_xml(s, None, enters=str(e), exits="1", passings="2", returns="0")
                            for s, e in starts_enters
                        ],
                    )
                ],
            )
        ],
    )
    assert ingest_document(store, body).accepted


def url(store, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/stores/{store.pk}/footfall?{query}"


def test_hour_buckets_in_store_local_time(api, viewer_a, store_a):
    # Istanbul is UTC+3: 06:59 UTC on 2 Jan is 09:59 local; 21:30 UTC is 00:30 on the 3rd (next local day).
    push(store_a, "cam-1", "2024-01-02", [("06:59:00", 4), ("07:00:00", 5), ("07:01:00", 6), ("21:30:00", 9)])
    response = api(viewer_a).get(url(store_a, **{"from": "2024-01-02", "to": "2024-01-02", "granularity": "hour"}))
    assert response.status_code == 200
    assert response.json() == {
        "store": store_a.pk,
        "timezone": "Europe/Istanbul",
        "from": "2024-01-02",
        "to": "2024-01-02",
        "granularity": "hour",
        "device": None,
        "object_type": 0,
        "staff_subtracted": False,
        "results": [
            {"period": "2024-01-02T09:00:00+03:00", "enters": 4, "exits": 1, "passings": 2, "returns": 0},
            {"period": "2024-01-02T10:00:00+03:00", "enters": 11, "exits": 2, "passings": 4, "returns": 0},
        ],
    }


def test_day_buckets_follow_local_midnight(api, viewer_a, store_a):
    push(store_a, "cam-1", "2024-01-02", [("20:59:00", 4), ("21:00:00", 5)])  # 23:59 and 00:00 local
    response = api(viewer_a).get(url(store_a, **{"from": "2024-01-02", "to": "2024-01-03", "granularity": "day"}))
    assert [(r["period"], r["enters"]) for r in response.json()["results"]] == [
        ("2024-01-02T00:00:00+03:00", 4),
        ("2024-01-03T00:00:00+03:00", 5),
    ]


def test_new_york_store_across_dst_change(api, viewer_b, store_b):
    # America/New_York leaves DST on 2024-11-03: 05:00 UTC is 01:00 EDT, 06:00 UTC is 01:00 EST.
    push(store_b, "cam-1", "2024-11-03", [("05:10:00", 1), ("06:10:00", 2)])
    response = api(viewer_b).get(url(store_b, **{"from": "2024-11-03", "to": "2024-11-03"}))
    assert [(r["period"], r["enters"]) for r in response.json()["results"]] == [
        ("2024-11-03T01:00:00-04:00", 1),
        ("2024-11-03T01:00:00-05:00", 2),
    ]


def test_devices_are_summed_and_filterable(api, viewer_a, store_a):
    push(store_a, "cam-1", "2024-01-02", [("08:00:00", 3)])
    push(store_a, "cam-2", "2024-01-02", [("08:30:00", 7)])
    client = api(viewer_a)
    both = client.get(url(store_a, **{"from": "2024-01-02"})).json()["results"]
    assert [(r["period"], r["enters"], r["exits"]) for r in both] == [("2024-01-02T11:00:00+03:00", 10, 2)]
    one = client.get(url(store_a, **{"from": "2024-01-02", "device": "cam-2"})).json()
    assert (one["device"], [r["enters"] for r in one["results"]]) == ("cam-2", [7])


def test_object_type_filter(api, viewer_a, store_a):
    push(store_a, "cam-1", "2024-01-02", [("08:00:00", 3)], object_type="0")
    push(store_a, "cam-1", "2024-01-02", [("08:00:00", 1)], object_type="2")
    client = api(viewer_a)
    assert [r["enters"] for r in client.get(url(store_a, **{"from": "2024-01-02"})).json()["results"]] == [3]
    children = client.get(url(store_a, **{"from": "2024-01-02", "object_type": "2"})).json()
    assert (children["object_type"], [r["enters"] for r in children["results"]]) == (2, [1])
    assert client.get(url(store_a, **{"from": "2024-01-02", "object_type": "1"})).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"object_type": "3"}, {"object_type": ["Choose 0 (total), 1 (adults) or 2 (children)."]}),
        ({"object_type": "x"}, {"object_type": ["Choose 0 (total), 1 (adults) or 2 (children)."]}),
        ({"device": "nope"}, {"device": ["No device with this DeviceId in this store."]}),
        ({"granularity": "week"}, {"granularity": ["Choose one of: hour, day."]}),
        ({"from": "2024-13-01"}, {"from": ["Use a date in the form YYYY-MM-DD."]}),
    ],
)
def test_bad_parameters_are_400(api, viewer_a, store_a, params, errors):
    response = api(viewer_a).get(url(store_a, **params))
    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_other_tenants_store_is_404_and_reveals_nothing(api, viewer_a, store_b):
    push(store_b, "rival-cam", "2024-01-02", [("08:00:00", 3)])
    response = api(viewer_a).get(url(store_b, **{"from": "2024-01-02"}))
    assert response.status_code == 404
    assert b"rival" not in response.content


def test_other_stores_device_is_not_visible_through_the_filter(api, brand_admin_a, store_a, store_b):
    push(store_b, "rival-cam", "2024-01-02", [("08:00:00", 3)])
    response = api(brand_admin_a).get(url(store_a, **{"from": "2024-01-02", "device": "rival-cam"}))
    assert response.status_code == 400
    assert response.json() == {"errors": {"device": ["No device with this DeviceId in this store."]}}


def test_same_device_id_in_another_tenant_does_not_leak(api, viewer_a, store_a, store_b):
    push(store_a, "cam-1", "2024-01-02", [("08:00:00", 3)])
    push(store_b, "cam-1", "2024-01-02", [("08:00:00", 50)])
    results = api(viewer_a).get(url(store_a, **{"from": "2024-01-02", "device": "cam-1"})).json()["results"]
    assert [r["enters"] for r in results] == [3]


def test_anonymous_is_401(api, store_a):
    assert api().get(url(store_a)).status_code == 401


def test_footfall_series_for_dashboards(store_a):
    ingest_document(store_a, sample("metrics"))  # 2022-11-07 07:27 UTC = 10:27 Istanbul
    rng = parse_report_range({"from": "2022-11-07", "granularity": "hour"}, store_a.timezone)
    expected = [{"period": "2022-11-07T10:00:00+03:00", "enters": 2, "exits": 1, "passings": 0, "returns": 0}]
    assert footfall_series(store_a, rng) == expected
    assert footfall_series(store_a, rng, device_id="12345", object_type=0) == expected
    assert footfall_series(store_a, rng, device_id="other") == []
    assert footfall_series(store_a, rng, object_type=2)[0]["enters"] == 0
    assert rng.first_day == date(2022, 11, 7)
