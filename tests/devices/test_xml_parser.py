"""devices.xml.parse_document: the seed's documents, time rules, validation and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devices.xml import CountRecord, XMLRejected, parse_document, sniff_device_id
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample


def test_seed_metrics_sample():
    doc = parse_document(sample("metrics"))
    assert (doc.kind, doc.device_id, doc.device_name, doc.site_id, doc.site_name) == (
        "Metrics",
        "12345",
        "deviceName",
        "siteId",
        "siteName",
    )
    props = doc.properties
    assert props.transmit_time == datetime(2022, 11, 7, 7, 42, tzinfo=UTC)
    assert (props.mac_address, props.ip_address, props.serial_number) == (
        "4C:BC:98:60:27:8A",
        "192.168.8.223",
        "201000002209190025",
    )
    assert (props.connection_type, props.ip_address_method, props.host_name) == ("Wired", "DHCP", "Cam-19773")
    assert (props.timezone_hours, props.dst, props.sw_release, props.hw_platform) == (8.0, 0, "", "")
    start = datetime(2022, 11, 7, 7, 27, tzinfo=UTC)  # seed: 15:27 at UTC+8 = 1667806020
    assert doc.counts == (
        CountRecord(0, start, 1, 2, 1, 0, 0, 0),
        CountRecord(1, start, 1, 2, 1, 0, 0, 0),
        CountRecord(2, start, 1, 0, 0, 0, 0, 0),
    )


def test_seed_rtmetrics_sample():
    doc = parse_document(sample("rtmetrics"))
    assert doc.kind == "RTMetrics"
    assert doc.properties.transmit_time == datetime.fromtimestamp(1667807637, UTC)
    assert [(c.object_type, c.period_start, c.enters, c.exits) for c in doc.counts] == [
        (0, datetime(2022, 11, 7, 7, 53, tzinfo=UTC), 1, 0),
        (1, datetime(2022, 11, 7, 7, 53, tzinfo=UTC), 1, 0),
        (2, datetime(2022, 11, 7, 7, 53, tzinfo=UTC), 0, 0),
    ]


def test_seed_diags_sample():
    doc = parse_document(sample("diags"))
    assert (doc.kind, doc.device_id, doc.counts) == ("Diags", "Device ID", ())
    assert (doc.properties.hw_platform, doc.properties.sw_release, doc.properties.ip_address_method) == (
        "V2.1",
        "4.3.0",
        "Static",
    )


@pytest.mark.parametrize(
    ("timezone", "dst", "local", "expected_utc"),
    [
        ("8", "0", "15:27:00", datetime(2022, 11, 7, 7, 27, tzinfo=UTC)),
        ("-5", "1", "09:00:00", datetime(2022, 11, 7, 13, 0, tzinfo=UTC)),  # UTC-5 with DST = UTC-4
        ("5.5", "0", "15:00:00", datetime(2022, 11, 7, 9, 30, tzinfo=UTC)),
        ("5.5", "1", "15:00:00", datetime(2022, 11, 7, 8, 30, tzinfo=UTC)),
        ("-3.5", "1", "23:30:00", datetime(2022, 11, 8, 2, 0, tzinfo=UTC)),  # crosses into the next UTC day
        ("0", "1", "00:15:00", datetime(2022, 11, 6, 23, 15, tzinfo=UTC)),  # back into the previous day
    ],
)
def test_time_from_date_start_time_timezone_and_dst(timezone, dst, local, expected_utc):
    body = document(
        timezone=timezone, dst=dst, reports=[report_xml(objects=[object_xml(counts=[count_xml(local, None)])])]
    )
    assert parse_document(body).counts[0].period_start == expected_utc


def test_unix_start_time_wins_over_local_fields():
    body = document(
        timezone="-5", dst="1", reports=[report_xml(objects=[object_xml(counts=[count_xml("01:00:00", 1667806020)])])]
    )
    assert parse_document(body).counts[0].period_start == datetime(2022, 11, 7, 7, 27, tzinfo=UTC)


def test_several_reports_objects_and_counts():
    body = document(
        interval="15",
        reports=[
            report_xml("2022-11-07", [object_xml("0", [count_xml("23:45:00", None), count_xml("23:30:00", None)])]),
            report_xml(
                "2022-11-08",
                [object_xml("0", [count_xml("00:00:00", None)]), object_xml("1", [count_xml("00:00:00", None)])],
            ),
        ],
    )
    counts = parse_document(body).counts
    assert [(c.object_type, c.period_start.isoformat(), c.interval) for c in counts] == [
        (0, "2022-11-07T15:45:00+00:00", 15),
        (0, "2022-11-07T15:30:00+00:00", 15),
        (0, "2022-11-07T16:00:00+00:00", 15),
        (1, "2022-11-07T16:00:00+00:00", 15),
    ]


def test_passings_returns_and_status_default_to_zero():
    body = document(
        reports=[report_xml(objects=[object_xml(counts=['<Count UnixStartTime="1667806020" Enters="3" Exits="4" />'])])]
    )
    assert parse_document(body).counts[0] == CountRecord(0, datetime(2022, 11, 7, 7, 27, tzinfo=UTC), 1, 3, 4, 0, 0, 0)


def test_metrics_without_report_data_is_a_heartbeat():
    assert (
        parse_document(
            document(reports=None).replace(b"<ReportData", b"<Other").replace(b"</ReportData>", b"</Other>")
        ).counts
        == ()
    )


def rejected(body: bytes) -> XMLRejected:
    with pytest.raises(XMLRejected) as info:
        parse_document(body)
    return info.value


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (b"", "body", "The body is empty; expected an XML document."),
        (b"<Metrics DeviceId='1'>", "body", "Malformed XML (line 1)."),
        (b"not xml at all", "body", "Malformed XML (line 1)."),
        (b'<Report DeviceId="1"/>', "root", "Root element must be one of Metrics, RTMetrics, Diags."),
        (
            b'<x:Metrics xmlns:x="urn:x" DeviceId="1"/>',
            "root",
            "Root element must be one of Metrics, RTMetrics, Diags.",
        ),
        (b"<Metrics/>", "DeviceId", "Required attribute is missing or empty."),
        (b'<Diags DeviceId="  "/>', "DeviceId", "Required attribute is missing or empty."),
        (b'<Diags DeviceId="' + b"x" * 65 + b'"/>', "DeviceId", "At most 64 characters."),
    ],
)
def test_structural_errors(body, field, reason):
    error = rejected(body)
    assert (error.field, error.reason) == (field, reason)


C = "ReportData/Report[1]/Object[1]/Count[1]"
INTERVAL = "Must be whole minutes between 1 and 1440, or 0 (real-time counts per second)."
OBJECT_TYPE = "Must be 0 (total), 1 (adults), 2 (children) or 3 (demographics)."


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"transmit": "soon"}, "Properties/TransmitTime", "Must be a Unix time in whole seconds."),
        ({"transmit": "99999999999"}, "Properties/TransmitTime", "Impossible date: must fall between 2000 and 2100."),
        ({"interval": None}, "ReportData/@Interval", INTERVAL),
        ({"interval": "1441"}, "ReportData/@Interval", INTERVAL),
        ({"interval": "1.5"}, "ReportData/@Interval", INTERVAL),
        ({"interval": "-1"}, "ReportData/@Interval", INTERVAL),
        ({"timezone": "eight"}, "Properties/Timezone", "Must be an hour offset between -12 and 14 (e.g. 8, -5, 5.5)."),
        ({"timezone": "15"}, "Properties/Timezone", "Must be an hour offset between -12 and 14 (e.g. 8, -5, 5.5)."),
        ({"dst": "2"}, "Properties/DST", "Must be 0, 1 or -1 (unknown)."),
        ({"reports": [report_xml("2022-02-30")]}, "ReportData/Report[1]/@Date", "Impossible date."),
        ({"reports": [report_xml("07.11.2022")]}, "ReportData/Report[1]/@Date", "Required, as YYYY-MM-DD."),
        (
            {"reports": [f"<Report>{object_xml(counts=[count_xml(unix=None)])}</Report>"]},
            "ReportData/Report[1]/@Date",
            "Required, as YYYY-MM-DD.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml("x")])]},
            "ReportData/Report[1]/Object[1]/@ObjectType",
            OBJECT_TYPE,
        ),
        (
            {"reports": [report_xml(objects=[object_xml("")])]},
            "ReportData/Report[1]/Object[1]/@ObjectType",
            OBJECT_TYPE,
        ),
        (
            {"reports": [report_xml(objects=[object_xml("-1")])]},
            "ReportData/Report[1]/Object[1]/@ObjectType",
            OBJECT_TYPE,
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(enters="-1")])])]},
            f"{C}/@Enters",
            "Must be a non-negative whole number.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(exits="two")])])]},
            f"{C}/@Exits",
            "Must be a non-negative whole number.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(passings="1.0")])])]},
            f"{C}/@Passings",
            "Must be a non-negative whole number.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(returns="+1")])])]},
            f"{C}/@Returns",
            "Must be a non-negative whole number.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(enters="1000001")])])]},
            f"{C}/@Enters",
            "At most 1000000.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(status="ok")])])]},
            f"{C}/@Status",
            "Must be a whole number.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=['<Count UnixStartTime="1667806020" Exits="1"/>'])])]},
            f"{C}/@Enters",
            "Required attribute is missing.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml("25:00:00", None)])])]},
            f"{C}/@StartTime",
            "Impossible time of day.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml("noon", None)])])]},
            f"{C}/@StartTime",
            "Must be a time as HH:MM:SS.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(unix=-5)])])]},
            f"{C}/@UnixStartTime",
            "Must be a Unix time in whole seconds.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(unix=12)])])]},
            f"{C}/@UnixStartTime",
            "Impossible date: must fall between 2000 and 2100.",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=['<Count Enters="1" Exits="1"/>'])])]},
            f"{C}/@StartTime",
            "StartTime or UnixStartTime is required.",
        ),
        (
            {"timezone": "", "reports": [report_xml(objects=[object_xml(counts=[count_xml(unix=None)])])]},
            "Properties/Timezone",
            "Required to place a Count without UnixStartTime in time.",
        ),
    ],
)
def test_value_errors_name_the_field(kwargs, field, reason):
    error = rejected(document(**kwargs))
    assert (error.field, error.reason) == (field, reason)


def test_mixed_valid_and_invalid_objects_reject_the_whole_document():
    body = document(reports=[report_xml(objects=[object_xml("0"), object_xml("1", [count_xml(enters="-3")])])])
    assert rejected(body).field == "ReportData/Report[1]/Object[2]/Count[1]/@Enters"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><Metrics DeviceId="1">&lol9;</Metrics>'
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "'
    + b"A" * 50_000
    + b'">]><Metrics DeviceId="1">'
    + b"&a;" * 10_000
    + b"</Metrics>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><Diags DeviceId="&x;"/>'
XXE_PARAMETER = (
    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><Diags DeviceId="1"/>'
)
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE Diags SYSTEM "http://127.0.0.1:9/evil.dtd"><Diags DeviceId="1"/>'
UTF16_DTD = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "x">]><Diags DeviceId="&a;"/>'.encode(
    "utf-16"
)
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "quadratic blowup": QUADRATIC,
    "external entity": XXE,
    "external parameter entity": XXE_PARAMETER,
    "external DTD": EXTERNAL_DTD,
    "DTD in UTF-16": UTF16_DTD,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_documents_are_refused(name):
    error = rejected(HOSTILE[name])
    assert (error.field, error.reason) == ("body", "DTDs and entity declarations are refused.")


def test_undeclared_entity_is_malformed():
    assert rejected(b'<Diags DeviceId="&x;"/>').reason == "Malformed XML (line 1)."


def test_deep_nesting_is_refused():
    body = b'<Metrics DeviceId="1"><ReportData Interval="1">' + b"<a>" * 20 + b"</a>" * 20 + b"</ReportData></Metrics>"
    reason = "The document nests too deep: at most 8 levels of elements."
    assert (rejected(body).field, rejected(body).reason) == ("body", reason)
    # Past 256 levels libxml2 stops first; the reason is the same, not "Malformed XML (line 1)".
    extreme = b"<a>" * 5000 + b"</a>" * 5000
    assert (rejected(extreme).field, rejected(extreme).reason) == ("body", reason)


def test_depth_limit_is_exact():
    """Eight levels of elements pass (unknown ones are ignored), nine are refused; a comment or a
    processing instruction inside the eighth level is no ninth (the parser drops both)."""

    def nested(levels: int, inner: bytes = b"") -> bytes:
        return b'<Diags DeviceId="1">' + b"<x>" * (levels - 1) + inner + b"</x>" * (levels - 1) + b"</Diags>"

    assert parse_document(nested(8)).device_id == "1"
    assert parse_document(nested(8, b"<!-- deep --><?pi deep?>text")).device_id == "1"
    assert rejected(nested(9)).reason == "The document nests too deep: at most 8 levels of elements."


def test_leading_whitespace_bom_and_comments_are_fine():
    body = b"\n  " + sample("diags").replace(b"<Properties>", b"<!-- hi --><Properties>")
    assert parse_document(body).device_id == "Device ID"
    assert parse_document(b"\xef\xbb\xbf" + sample("diags")).device_id == "Device ID"


def test_sniff_device_id():
    assert sniff_device_id(sample("metrics")) == "12345"
    assert sniff_device_id(b"<Metrics DeviceId='cam 7'><broken") == "cam 7"
    assert sniff_device_id(b"garbage") == ""
