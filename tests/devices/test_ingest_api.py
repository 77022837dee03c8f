"""POST /api/devices/xml/<ingest_key>/: the camera push, end to end through HTTP."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest
from django.core.handlers.asgi import ASGIRequest

from devices.api.views import XmlIngestView
from devices.models import Device, HourlyFootfall, MinuteCount, ReceivedDocument
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample
from tests.devices.test_xml_parser import HOSTILE

SUCCESS_3 = {"code": "0", "message": "success", "records": 3}


def counts(device: Device) -> list[tuple]:
    return list(
        MinuteCount.objects.filter(device=device)
        .order_by("period_start", "object_type")
        .values_list("object_type", "period_start", "enters", "exits", "passings", "returns", "interval")
    )


def assert_nothing_stored() -> None:
    assert not Device.objects.exists()
    assert not MinuteCount.objects.exists()
    assert not HourlyFootfall.objects.exists()


def test_seed_metrics_registers_device_and_stores_counts(post_xml, store_a):
    response = post_xml(store_a, sample("metrics"))
    assert response.status_code == 200
    assert response.json() == SUCCESS_3
    device = Device.objects.get()
    assert (device.store, device.device_id, device.name, device.mac_address, device.ip_address) == (
        store_a,
        "12345",
        "deviceName",
        "4C:BC:98:60:27:8A",
        "192.168.8.223",
    )
    assert (device.serial_number, device.host_name, device.timezone_hours, device.last_document_kind) == (
        "201000002209190025",
        "Cam-19773",
        8.0,
        "Metrics",
    )
    start = datetime(2022, 11, 7, 7, 27, tzinfo=UTC)
    assert counts(device) == [(0, start, 2, 1, 0, 0, 1), (1, start, 2, 1, 0, 0, 1), (2, start, 0, 0, 0, 0, 1)]
    row = MinuteCount.objects.get(device=device, object_type=0)
    assert row.transmit_time == datetime.fromtimestamp(1667806920, UTC)
    hourly = HourlyFootfall.objects.get(device=device, object_type=0)
    assert (hourly.store, hourly.hour, hourly.enters, hourly.exits) == (
        store_a,
        datetime(2022, 11, 7, 7, tzinfo=UTC),
        2,
        1,
    )
    doc = ReceivedDocument.objects.get()
    assert (doc.outcome, doc.kind, doc.device, doc.records, doc.applied, doc.size) == (
        "accepted",
        "Metrics",
        device,
        3,
        3,
        len(sample("metrics")),
    )
    assert doc.raw_body() == sample("metrics")


def test_seed_rtmetrics_then_diags(post_xml, store_a):
    assert post_xml(store_a, sample("rtmetrics")).json() == SUCCESS_3
    assert post_xml(store_a, sample("diags")).json() == {"code": "0", "message": "success", "records": 0}
    assert sorted(Device.objects.values_list("device_id", flat=True)) == ["12345", "Device ID"]
    diags = Device.objects.get(device_id="Device ID")
    assert (diags.hw_platform, diags.sw_release, diags.ip_address_method) == ("V2.1", "4.3.0", "Static")
    assert MinuteCount.objects.filter(device=diags).count() == 0
    assert MinuteCount.objects.filter(device__device_id="12345").count() == 3


@pytest.mark.parametrize("slash", [True, False])
@pytest.mark.parametrize(
    "content_type",
    ["text/xml", "application/xml; charset=utf-8", "application/x-www-form-urlencoded", "text/plain", ""],
)
def test_any_content_type_with_and_without_slash(post_xml, store_a, content_type, slash):
    response = post_xml(store_a, sample("metrics"), content_type=content_type, slash=slash)
    assert (response.status_code, response.json()) == (200, SUCCESS_3)
    assert MinuteCount.objects.count() == 3


def test_xml_accept_header_still_gets_json(post_xml, store_a):
    response = post_xml(store_a, sample("diags"), HTTP_ACCEPT="text/xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_unknown_key_is_404_and_creates_nothing(post_xml, store_a):
    response = post_xml("not-a-real-key", sample("metrics"))
    assert response.status_code == 404
    assert response.json() == {"code": "1", "message": "Not found.", "errors": {"detail": ["Not found."]}}
    assert_nothing_stored()
    assert not ReceivedDocument.objects.exists()


def test_get_is_not_allowed(client, store_a):
    assert client.get(store_a.ingest_path).status_code == 405


def test_same_device_id_in_two_stores_are_two_devices(post_xml, store_a, store_b):
    post_xml(store_a, sample("metrics"))
    post_xml(store_b, sample("metrics"))
    assert sorted(Device.objects.values_list("store__code", "device_id")) == [
        ("boyner-avm", "12345"),
        ("rival-1", "12345"),
    ]
    assert MinuteCount.objects.count() == 6


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_documents_are_400_and_store_nothing(post_xml, store_a, name, caplog):
    with caplog.at_level(logging.WARNING, logger="devices.services"):
        response = post_xml(store_a, HOSTILE[name])
    assert response.status_code == 400
    assert response.json() == {
        "code": "1",
        "message": "DTDs and entity declarations are refused.",
        "errors": {"body": ["DTDs and entity declarations are refused."]},
    }
    assert b"root:" not in response.content and b"lol" not in response.content
    assert_nothing_stored()
    doc = ReceivedDocument.objects.get()
    assert (doc.outcome, doc.error, doc.device) == ("rejected", "body: DTDs and entity declarations are refused.", None)
    assert "Rejected device document" in caplog.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"<Metrics DeviceId='1'><oops></Metrics>", "body"),
        (b'<Heartbeat DeviceId="1"/>', "root"),
        (b"<Metrics/>", "DeviceId"),
        (
            document(reports=[report_xml(objects=[object_xml(counts=[count_xml(enters="-1")])])]),
            "ReportData/Report[1]/Object[1]/Count[1]/@Enters",
        ),
        (
            document(reports=[report_xml(objects=[object_xml(counts=[count_xml(exits="many")])])]),
            "ReportData/Report[1]/Object[1]/Count[1]/@Exits",
        ),
        (document(reports=[report_xml("2022-13-01")]), "ReportData/Report[1]/@Date"),
        (document(interval=None), "ReportData/@Interval"),
    ],
)
def test_bad_documents_are_400_with_field(post_xml, store_a, body, field):
    response = post_xml(store_a, body)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "1"
    assert list(data["errors"]) == [field]
    assert_nothing_stored()
    assert ReceivedDocument.objects.get().outcome == "rejected"


def test_document_mixing_valid_and_invalid_objects_stores_nothing(post_xml, store_a):
    body = document(reports=[report_xml(objects=[object_xml("0"), object_xml("1", [count_xml(enters="x")])])])
    response = post_xml(store_a, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ReportData/Report[1]/Object[2]/Count[1]/@Enters"]
    assert_nothing_stored()


def test_rejected_document_keeps_the_sniffed_device_id(post_xml, store_a):
    post_xml(store_a, b'<Metrics DeviceId="cam-9"><ReportData Interval="x"></ReportData></Metrics>')
    assert ReceivedDocument.objects.get().device_key == "cam-9"


def test_body_over_limit_with_content_length_is_413(post_xml, store_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    response = post_xml(store_a, sample("metrics") + b" " * 2048)
    assert response.status_code == 413
    assert_nothing_stored()
    assert not ReceivedDocument.objects.exists()


def asgi_request(path: str, body: bytes) -> ASGIRequest:
    """A request as an ASGI server hands it over for a chunked upload: no Content-Length header."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", b"text/xml")],
        "query_string": b"",
        "server": ("testserver", 80),
        "client": ("10.0.0.9", 5000),
    }
    return ASGIRequest(scope, io.BytesIO(body))


def test_body_over_limit_without_content_length_is_413(store_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    request = asgi_request(store_a.ingest_path, sample("metrics") + b" " * 2048)
    assert "CONTENT_LENGTH" not in request.META
    response = XmlIngestView.as_view()(request, ingest_key=store_a.ingest_key)
    assert response.status_code == 413
    assert_nothing_stored()


def test_body_without_content_length_under_limit_is_read(store_a):
    request = asgi_request(store_a.ingest_path, sample("metrics"))
    response = XmlIngestView.as_view()(request, ingest_key=store_a.ingest_key)
    assert response.status_code == 200
    assert MinuteCount.objects.count() == 3
    assert ReceivedDocument.objects.get().remote_addr == "10.0.0.9"


# --- supersede rule -------------------------------------------------------------------------


def push(post_xml, store, transmit: int, enters: str, exits: str = "0", sw: str = "4.3.0"):
    body = document(
        transmit=transmit,
        sw_release=sw,
        reports=[report_xml(objects=[object_xml(counts=[count_xml(enters=enters, exits=exits)])])],
    )
    response = post_xml(store, body)
    assert response.status_code == 200, response.content
    return response


def totals(store) -> tuple[int, int]:
    row = HourlyFootfall.objects.get(store=store, object_type=0)
    return row.enters, row.exits


def test_newer_push_replaces_older(post_xml, store_a):
    push(post_xml, store_a, 1667806900, "2", "1", sw="4.3.0")
    push(post_xml, store_a, 1667806960, "5", "3", sw="4.4.0")
    row = MinuteCount.objects.get()
    assert (row.enters, row.exits, row.transmit_time) == (5, 3, datetime.fromtimestamp(1667806960, UTC))
    assert totals(store_a) == (5, 3)
    assert Device.objects.get().sw_release == "4.4.0"


def test_late_older_push_changes_nothing(post_xml, store_a):
    push(post_xml, store_a, 1667806960, "5", "3", sw="4.4.0")
    response = push(post_xml, store_a, 1667806900, "2", "1", sw="4.3.0")
    assert response.json() == {"code": "0", "message": "success", "records": 1}
    row = MinuteCount.objects.get()
    assert (row.enters, row.exits, row.transmit_time) == (5, 3, datetime.fromtimestamp(1667806960, UTC))
    assert totals(store_a) == (5, 3)
    assert Device.objects.get().sw_release == "4.4.0"  # properties are not rolled back either
    assert list(ReceivedDocument.objects.order_by("pk").values_list("applied", flat=True)) == [1, 0]


def test_equal_transmit_time_replaces(post_xml, store_a):
    push(post_xml, store_a, 1667806960, "5")
    push(post_xml, store_a, 1667806960, "7")
    assert MinuteCount.objects.get().enters == 7
    assert totals(store_a) == (7, 0)


def test_realtime_pushes_of_one_minute_keep_the_latest_total(post_xml, store_a):
    for transmit, enters in ((1667806025, "1"), (1667806040, "2"), (1667806055, "4")):
        push(post_xml, store_a, transmit, enters)
    assert MinuteCount.objects.get().enters == 4
    assert totals(store_a) == (4, 0)


def test_zero_count_records_are_stored(post_xml, store_a):
    push(post_xml, store_a, 1667806960, "0")
    assert MinuteCount.objects.get().enters == 0
    assert totals(store_a) == (0, 0)


# --- intervals and children mode -----------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "starts"), [("15", ["10:00:00", "10:15:00", "10:30:00", "10:45:00"]), ("60", ["10:00:00", "11:00:00"])]
)
def test_interval_15_and_60(post_xml, store_a, interval, starts):
    body = document(
        timezone="3",
        interval=interval,
        reports=[report_xml(objects=[object_xml(counts=[count_xml(s, None, enters="10", exits="4") for s in starts])])],
    )
    assert post_xml(store_a, body).json()["records"] == len(starts)
    assert set(MinuteCount.objects.values_list("interval", flat=True)) == {int(interval)}
    hourly = list(HourlyFootfall.objects.order_by("hour").values_list("hour", "enters", "exits"))
    if interval == "15":
        assert hourly == [(datetime(2022, 11, 7, 7, tzinfo=UTC), 40, 16)]
    else:
        assert hourly == [(datetime(2022, 11, 7, 7, tzinfo=UTC), 10, 4), (datetime(2022, 11, 7, 8, tzinfo=UTC), 10, 4)]


def test_children_mode_on_keeps_three_object_types(post_xml, store_a):
    body = document(
        reports=[
            report_xml(
                objects=[
                    object_xml("0", [count_xml(enters="5", exits="2")]),
                    object_xml("1", [count_xml(enters="3", exits="2")]),
                    object_xml("2", [count_xml(enters="2", exits="0")]),
                ]
            )
        ]
    )
    assert post_xml(store_a, body).json()["records"] == 3
    assert list(HourlyFootfall.objects.order_by("object_type").values_list("object_type", "enters", "exits")) == [
        (0, 5, 2),
        (1, 3, 2),
        (2, 2, 0),
    ]


def test_children_mode_off_only_total(post_xml, store_a):
    assert post_xml(store_a, document()).json()["records"] == 1
    assert list(MinuteCount.objects.values_list("object_type", flat=True)) == [0]


def test_several_report_dates_in_one_document(post_xml, store_a):
    body = document(
        timezone="3",
        reports=[
            report_xml("2022-11-07", [object_xml("0", [count_xml("23:59:00", None, enters="1")])]),
            report_xml("2022-11-08", [object_xml("0", [count_xml("00:00:00", None, enters="2")])]),
        ],
    )
    assert post_xml(store_a, body).json()["records"] == 2
    assert list(MinuteCount.objects.order_by("period_start").values_list("period_start", "enters")) == [
        (datetime(2022, 11, 7, 20, 59, tzinfo=UTC), 1),
        (datetime(2022, 11, 7, 21, 0, tzinfo=UTC), 2),
    ]


def test_duplicate_key_within_a_document_counts_once(post_xml, store_a):
    body = document(reports=[report_xml(objects=[object_xml("0", [count_xml(enters="1"), count_xml(enters="6")])])])
    assert post_xml(store_a, body).json()["records"] == 2
    assert MinuteCount.objects.get().enters == 6
    assert totals(store_a) == (6, 1)
