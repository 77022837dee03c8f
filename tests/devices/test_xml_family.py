"""The XML family in the field (issue 14): Brickstream 2300, older Brickstream firmware, HX-CCD21 V2.1.

The documents are written from the vendors' descriptions, not from the seed's one sample:
``Sitename``/``Devicename`` spellings, ``DivisionId``/``ExternalId``, ``Status="4"`` and no
Passings/Returns; no ``Version``/``TransmitTime``/``UnixStartTime``/``SwRelease``; per-second
real-time counts (``Interval="0"``) with no ``DST`` and an ObjectType 3 demographics object;
``UnixStartTime="0"`` and ``DST="-1"``; unknown elements and attributes. Each is pushed alone
and all are mixed in one store, and each must land in the right UTC hour with its names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from devices.models import Device, HourlyFootfall, MinuteCount, Outcome, ReceivedDocument
from devices.redaction import REDACTED
from devices.services import MEASURES, ingest_document
from devices.xml import DemographicRecord, parse_document


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- the documents --------------------------------------------------------------------------------


def brickstream_2300(device_id: str = "BS-2300", transmit: datetime | None = None) -> bytes:
    """Batch data streaming: 15-minute counts at UTC+3, Status 4, no Passings/Returns."""
    transmit = transmit or datetime(2024, 5, 6, 9, 0, 5, tzinfo=UTC)
    counts = "".join(
        f'<Count StartTime="{10 + q // 4:02d}:{(q % 4) * 15:02d}:00" EndTime="00:00:00" '
        f'UnixStartTime="{epoch(datetime(2024, 5, 6, 7, 0, tzinfo=UTC) + timedelta(minutes=15 * q))}" '
        f'Enters="{q + 1}" Exits="{q}" Status="4"/>'
        for q in range(8)  # 10:00-12:00 local = 07:00-09:00 UTC
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Metrics SiteId="S-7" Sitename="Kadikoy Mall" DivisionId="DIV-3" DeviceId="{device_id}" '
        'Devicename="North Door">'
        "<Properties><Version>3</Version>"
        f"<TransmitTime>{epoch(transmit)}</TransmitTime>"
        "<MacAddress>00:1B:C5:0C:60:01</MacAddress><IpAddress>10.0.4.21</IpAddress><HostName>bs-2300</HostName>"
        "<HttpPort>80</HttpPort><HttpsPort>443</HttpsPort><Timezone>3</Timezone><DST>0</DST>"
        "<TimezoneName>Europe/Istanbul</TimezoneName><HwPlatform>2300</HwPlatform>"
        "<SerialNumber>Q2300-0001</SerialNumber><DeviceType>0</DeviceType><SwRelease>5.3.1021</SwRelease>"
        "</Properties>"
        '<ReportData Interval="15"><Report Date="2024-05-06">'
        f'<Object Id="0" ExternalId="EXT-9" Devicename="North Door" ObjectType="0" Name="count">{counts}</Object>'
        "</Report></ReportData></Metrics>"
    ).encode()


def brickstream_old(device_id: str = "BS-OLD", enters: int = 4, extra_properties: str = "") -> bytes:
    """Older firmware: no Version, TransmitTime, UnixStartTime or SwRelease; UTC-5 with DST."""
    return (
        f'<Metrics SiteId="S-8" Sitename="Outlet" DeviceId="{device_id}" Devicename="Back Door">'
        "<Properties><MacAddress>00:1B:C5:0C:60:02</MacAddress><Timezone>-5</Timezone><DST>1</DST>"
        f"{extra_properties}</Properties>"
        '<ReportData Interval="1"><Report Date="2024-05-06">'
        '<Object Id="0" Devicename="Back Door" ObjectType="0" Name="count">'
        f'<Count StartTime="09:30:00" EndTime="09:31:00" Enters="{enters}" Exits="1" Status="4"/>'
        '<Count StartTime="09:31:00" EndTime="09:32:00" Enters="2" Exits="2" Status="4"/>'
        "</Object></Report></ReportData></Metrics>"
    ).encode()


RT_DAY = datetime(2024, 5, 6, tzinfo=UTC)


def hx_ccd21(
    device_id: str = "HX-21",
    seconds: tuple[int, ...] = (41, 42),
    enters: int = 1,
    transmit: int | None = None,
    minute: str = "15:45",
) -> bytes:
    """V2.1 real-time counts per second at UTC+8 with no DST element, plus ObjectType 3."""
    hour, mins = (int(part) for part in minute.split(":"))
    start = RT_DAY.replace(hour=hour - 8, minute=mins)  # 15:45 local at UTC+8 = 07:45 UTC

    def count(second: int, value: int) -> str:
        unix = epoch(start + timedelta(seconds=second))
        return (
            f'<Count StartTime="{minute}:{second:02d}" EndTime="{minute}:{second + 1:02d}" '
            f'UnixStartTime="{unix}" Enters="{value}" Exits="0" Passings="0" Returns="0" Status="0"/>'
        )

    def demographics(second: int) -> str:
        attrs = f'StartTime="{minute}:{second:02d}" EndTime="{minute}:{second + 1:02d}" Status="0"'
        return (
            f'<GenderCount {attrs} maleNum="1" femaleNum="2" unknownGenderNum="0"/>'
            f'<AgeCount {attrs} ageLess10Num="0" age10to16Num="1" age17to30Num="1" age31to45Num="1" '
            'age46to60Num="0" ageOver60Num="0" unknownAgeNum="0"/>'
            f'<WorkCardCount {attrs} workCardNum="1"/>'
        )

    transmit = transmit if transmit is not None else epoch(start + timedelta(seconds=max(seconds) + 1))
    objects = "".join(
        f'<Object Id="0" DeviceId="{device_id}" DeviceName="Gate 1" ObjectType="{t}" Name="count">'
        + "".join(count(s, enters if t != 2 else 0) for s in seconds)
        + "</Object>"
        for t in (0, 1, 2)
    )
    objects += (
        f'<Object Id="1" DeviceId="{device_id}" DeviceName="Gate 1" ObjectType="3" Name="attribute">'
        + "".join(demographics(s) for s in seconds)
        + "</Object>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<RTMetrics SiteId="hx" SiteName="Atrium" DeviceId="{device_id}" DeviceName="Gate 1">'
        f"<Properties><Version>2.1</Version><TransmitTime>{transmit}</TransmitTime>"
        "<MacAddress>4C:BC:98:61:00:01</MacAddress><IpAddress>192.168.1.60</IpAddress>"
        "<Timezone>8</Timezone><SerialNumber>HX21-77</SerialNumber><SwRelease>V7.2.5.1-V5-21-RT</SwRelease>"
        "<WifiSSID>Atrium-Staff</WifiSSID><WifiPassword>hunter2-wifi</WifiPassword></Properties>"
        f'<ReportData Interval="0"><Report Date="2024-05-06">{objects}</Report></ReportData></RTMetrics>'
    ).encode()


def clock_unset(device_id: str = "GEN-0") -> bytes:
    """``UnixStartTime="0"`` (clock unset / generators) and ``DST="-1"``: placed by Date + StartTime."""
    return (
        f'<Metrics SiteId="g" SiteName="Gen" DeviceId="{device_id}" DeviceName="Generator">'
        "<Properties><TransmitTime>1714986000</TransmitTime><Timezone>5.5</Timezone><DST>-1</DST></Properties>"
        '<ReportData Interval="60"><Report Date="2024-05-06"><Object ObjectType="0">'
        '<Count StartTime="14:00:00" EndTime="15:00:00" UnixStartTime="0" Enters="30" Exits="28"/>'
        "</Object></Report></ReportData></Metrics>"
    ).encode()


def forward_compatible(device_id: str = "FWD-1") -> bytes:
    """Elements, attributes and an ObjectType of a firmware newer than this parser."""
    return (
        f'<Metrics SiteId="f" SiteName="Future" DeviceId="{device_id}" DeviceName="Next" Region="EU" Schema="9">'
        "<Firmware><Channel name='beta'><Build>77</Build></Channel></Firmware>"
        "<Properties><TransmitTime>1714986000</TransmitTime><Timezone>0</Timezone><Cpu>ARM</Cpu>"
        "<Sensors count='2'/></Properties>"
        '<ReportData Interval="1" Mode="fast"><Summary total="9"/><Report Date="2024-05-06" Weekday="1">'
        '<Object ObjectType="0" Zone="A"><Count StartTime="06:10:00" Enters="9" Exits="8" Dwell="12"/>'
        "<Heatmap cells='4'/></Object>"
        '<Object ObjectType="7"><Count StartTime="06:10:00" Enters="oops" Exits="?"/></Object>'
        "</Report></ReportData></Metrics>"
    ).encode()


VARIANTS = {
    # name: (body, DeviceId, names, {UTC hour: (enters, exits)} of object type 0)
    "brickstream 2300": (
        brickstream_2300(),
        "BS-2300",
        {"name": "North Door", "site_id": "S-7", "site_name": "Kadikoy Mall", "division_id": "DIV-3"},
        {
            datetime(2024, 5, 6, 7, tzinfo=UTC): (1 + 2 + 3 + 4, 0 + 1 + 2 + 3),
            datetime(2024, 5, 6, 8, tzinfo=UTC): (5 + 6 + 7 + 8, 4 + 5 + 6 + 7),
        },
    ),
    "brickstream older firmware": (
        brickstream_old(),
        "BS-OLD",
        {"name": "Back Door", "site_name": "Outlet", "sw_release": "", "interface_version": ""},
        {datetime(2024, 5, 6, 13, tzinfo=UTC): (4 + 2, 1 + 2)},  # 09:30 at UTC-5 with DST = 13:30 UTC
    ),
    "hx-ccd21 v2.1": (
        hx_ccd21(),
        "HX-21",
        {"name": "Gate 1", "site_name": "Atrium", "sw_release": "V7.2.5.1-V5-21-RT", "wifi_ssid": "Atrium-Staff"},
        {datetime(2024, 5, 6, 7, tzinfo=UTC): (2, 0)},  # 15:45:41 and :42 at UTC+8
    ),
    "clock unset": (
        clock_unset(),
        "GEN-0",
        {"name": "Generator", "dst": -1},
        {datetime(2024, 5, 6, 8, tzinfo=UTC): (30, 28)},  # 14:00 at UTC+5:30 (DST -1 = none) = 08:30 UTC
    ),
    "forward compatible": (
        forward_compatible(),
        "FWD-1",
        {"name": "Next", "site_name": "Future"},
        {datetime(2024, 5, 6, 6, tzinfo=UTC): (9, 8)},
    ),
}


def hours_of(device: Device, object_type: int = 0) -> dict[datetime, tuple[int, int]]:
    return {
        row.hour: (row.enters, row.exits)
        for row in HourlyFootfall.objects.filter(device=device, object_type=object_type)
    }


def assert_rollup_is_sum_of_minutes(device: Device) -> None:
    sums: dict = {}
    for row in MinuteCount.objects.filter(device=device):
        key = (row.object_type, row.period_start.replace(minute=0, second=0))
        sums[key] = tuple(a + getattr(row, m) for a, m in zip(sums.get(key, (0, 0, 0, 0)), MEASURES, strict=True))
    hours = {(r.object_type, r.hour): tuple(getattr(r, m) for m in MEASURES) for r in device.hourly.all()}
    assert hours == sums


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_variant_alone_is_stored_in_its_utc_hour_with_its_names(post_xml, store_a, name):
    body, device_id, names, hours = VARIANTS[name]
    response = post_xml(store_a, body)
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "0"
    device = Device.objects.get(store=store_a, device_id=device_id)
    assert {field: getattr(device, field) for field in names} == names
    assert hours_of(device) == hours
    assert_rollup_is_sum_of_minutes(device)
    if name == "clock unset":  # UnixStartTime="0" is absent: Date + StartTime - 5.5 h
        assert MinuteCount.objects.get().period_start == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)
    kept = ReceivedDocument.objects.get()
    assert (kept.outcome, kept.error, kept.device_id) == (Outcome.ACCEPTED, "", device.pk)


def test_all_variants_mixed_in_one_store_keep_apart_and_add_up(post_xml, store_a, api, viewer_a):
    for body, *_ in VARIANTS.values():
        assert post_xml(store_a, body).status_code == 200
    expected_total: dict[datetime, list[int]] = {}
    for _, device_id, names, hours in VARIANTS.values():
        device = Device.objects.get(store=store_a, device_id=device_id)
        assert {field: getattr(device, field) for field in names} == names
        assert hours_of(device) == hours
        for hour, (enters, exits) in hours.items():
            bucket = expected_total.setdefault(hour.replace(minute=0), [0, 0])
            bucket[0] += enters
            bucket[1] += exits
    assert Device.objects.filter(store=store_a).count() == len(VARIANTS)
    # The read API sums the devices per UTC hour (the store is at UTC+3: labels in local time).
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/footfall", {"from": "2024-05-06", "granularity": "hour"})
    assert response.status_code == 200
    got = {
        datetime.fromisoformat(row["period"]).astimezone(UTC): [row["enters"], row["exits"]]
        for row in response.json()["results"]
    }
    assert got == expected_total


def test_brickstream_properties_and_object_identity_are_kept(post_xml, store_a):
    assert post_xml(store_a, brickstream_2300()).status_code == 200
    device = Device.objects.get()
    assert (device.external_id, device.http_port, device.https_port, device.timezone_name) == (
        "EXT-9",
        80,
        443,
        "Europe/Istanbul",
    )
    rows = MinuteCount.objects.filter(device=device).order_by("period_start")
    assert [(r.interval, r.status, r.passings, r.returns) for r in rows] == [(15, 4, 0, 0)] * 8


def test_older_firmware_is_ordered_by_the_time_of_receipt(store_a):
    first = timezone.now().replace(microsecond=0)
    assert ingest_document(store_a, brickstream_old(enters=9), received_at=first).accepted
    assert ingest_document(store_a, brickstream_old(enters=3), received_at=first + timedelta(seconds=30)).accepted
    # Delivered late (received before the one stored): changes nothing.
    late = ingest_document(store_a, brickstream_old(enters=7), received_at=first + timedelta(seconds=10))
    assert (late.accepted, late.applied) == (True, 0)
    device = Device.objects.get()
    assert hours_of(device) == {datetime(2024, 5, 6, 13, tzinfo=UTC): (3 + 2, 1 + 2)}
    assert device.properties_transmit_time == first + timedelta(seconds=30)


def test_timezone_name_places_counts_when_the_offset_is_missing(store_a):
    body = brickstream_old().replace(
        b"<Timezone>-5</Timezone><DST>1</DST>", b"<TimezoneName>America/New_York</TimezoneName>"
    )
    assert ingest_document(store_a, body).accepted
    assert hours_of(Device.objects.get()) == {datetime(2024, 5, 6, 13, tzinfo=UTC): (6, 3)}  # EDT = UTC-4


def test_a_vendor_timezone_label_without_offset_is_refused_with_its_path(store_a):
    body = brickstream_old().replace(
        b"<Timezone>-5</Timezone><DST>1</DST>", b"<TimezoneName>(GMT-05:00) Eastern Time</TimezoneName>"
    )
    result = ingest_document(store_a, body)
    assert (result.accepted, result.field) == (False, "Properties/Timezone")


# --- per-second counts (Interval="0") -------------------------------------------------------------


def minute_rows(device_id: str = "HX-21") -> list[tuple]:
    return list(
        MinuteCount.objects.filter(device__device_id=device_id)
        .order_by("object_type", "period_start")
        .values_list("object_type", "period_start", "enters", "interval")
    )


def test_seconds_fold_into_their_minute_and_a_repush_never_doubles(store_a):
    first = ingest_document(store_a, hx_ccd21(seconds=(41, 42)))
    # applied: two seconds of three people-count object types and of three demographic kinds
    assert (first.accepted, first.records, first.applied) == (True, 2 * 3 + 2 * 3, 2 * 3 + 2 * 3)
    minute = datetime(2024, 5, 6, 7, 45, tzinfo=UTC)
    assert minute_rows() == [(0, minute, 2, 1), (1, minute, 2, 1), (2, minute, 0, 1)]
    again = ingest_document(store_a, hx_ccd21(seconds=(41, 42)))  # the same push again
    assert again.accepted
    assert minute_rows() == [(0, minute, 2, 1), (1, minute, 2, 1), (2, minute, 0, 1)]
    assert ingest_document(store_a, hx_ccd21(seconds=(43,), enters=5)).accepted  # a new second adds
    assert minute_rows()[0] == (0, minute, 7, 1)
    device = Device.objects.get()
    assert hours_of(device) == {datetime(2024, 5, 6, 7, tzinfo=UTC): (7, 0)}
    assert_rollup_is_sum_of_minutes(device)


def test_a_later_transmit_time_supersedes_a_second_and_an_older_one_does_not(store_a):
    base = epoch(datetime(2024, 5, 6, 7, 46, tzinfo=UTC))
    assert ingest_document(store_a, hx_ccd21(seconds=(10,), enters=4, transmit=base)).accepted
    newer = ingest_document(store_a, hx_ccd21(seconds=(10,), enters=2, transmit=base + 5))
    assert newer.applied == 3 + 3  # the second of each people-count object type and demographic kind
    older = ingest_document(store_a, hx_ccd21(seconds=(10,), enters=9, transmit=base - 5))
    assert older.applied == 0
    assert minute_rows()[0][2] == 2
    assert hours_of(Device.objects.get()) == {datetime(2024, 5, 6, 7, tzinfo=UTC): (2, 0)}


def test_a_whole_day_of_seconds_stays_within_one_row_per_minute_and_object_type(store_a):
    # Three minutes of every second, pushed one second per document as the camera does, twice.
    pushes = [(minute, second) for minute in ("15:45", "15:46", "15:47") for second in range(60)]
    for _ in range(2):
        for minute, second in pushes[::7]:  # every 7th second: 26 pushes each round
            assert ingest_document(store_a, hx_ccd21(seconds=(second,), minute=minute)).accepted
    one_push = ingest_document(store_a, hx_ccd21(seconds=tuple(range(59)), minute="15:48"))
    assert one_push.accepted
    rows = MinuteCount.objects.filter(device__device_id="HX-21")
    assert rows.count() == 4 * 3  # four minutes x object types 0, 1, 2: never a row per second
    assert {r.interval for r in rows} == {1}
    assert max(len(r.seconds) for r in rows) == 59
    device = Device.objects.get()
    assert_rollup_is_sum_of_minutes(device)
    assert hours_of(device) == {datetime(2024, 5, 6, 7, tzinfo=UTC): (len(pushes[::7]) + 59, 0)}


def test_a_whole_minute_count_after_its_seconds_replaces_them_on_both_paths(store_a):
    assert ingest_document(store_a, hx_ccd21(seconds=(1, 2, 3))).accepted
    minute = datetime(2024, 5, 6, 7, 45, tzinfo=UTC)
    whole = (
        f'<Metrics DeviceId="HX-21"><Properties><TransmitTime>{epoch(minute) + 120}</TransmitTime></Properties>'
        '<ReportData Interval="1"><Report><Object ObjectType="0">'
        f'<Count UnixStartTime="{epoch(minute)}" Enters="11" Exits="10"/></Object></Report></ReportData></Metrics>'
    )
    result = ingest_document(store_a, whole.encode())  # the fast path on PostgreSQL
    assert (result.accepted, result.applied) == (True, 1)
    row = MinuteCount.objects.get(device__device_id="HX-21", object_type=0)
    assert (row.enters, row.exits, row.seconds) == (11, 10, None)
    # Seconds older than that minute total change nothing (object types 1 and 2, still folded
    # from seconds, take their new second); newer ones start the minute over.
    # (+ 3: the second is new for each demographic kind, whose minutes have no whole count)
    assert ingest_document(store_a, hx_ccd21(seconds=(4,), transmit=epoch(minute) + 60)).applied == 2 + 3
    assert MinuteCount.objects.get(device__device_id="HX-21", object_type=0).enters == 11
    assert ingest_document(store_a, hx_ccd21(seconds=(5,), transmit=epoch(minute) + 180)).applied == 3 + 3
    assert MinuteCount.objects.get(device__device_id="HX-21", object_type=0).enters == 1
    assert_rollup_is_sum_of_minutes(Device.objects.get())


# --- ObjectType 3, unknowns, secrets --------------------------------------------------------------


def test_object_type_3_demographics_are_parsed_and_the_document_accepted():
    doc = parse_document(hx_ccd21(seconds=(41,)))
    start = datetime(2024, 5, 6, 7, 45, 41, tzinfo=UTC)  # from StartTime at UTC+8 (no UnixStartTime)
    assert doc.demographics == (
        DemographicRecord("gender", start, 0, (("maleNum", 1), ("femaleNum", 2), ("unknownGenderNum", 0)), 0),
        DemographicRecord(
            "age",
            start,
            0,
            (
                ("ageLess10Num", 0),
                ("age10to16Num", 1),
                ("age17to30Num", 1),
                ("age31to45Num", 1),
                ("age46to60Num", 0),
                ("ageOver60Num", 0),
                ("unknownAgeNum", 0),
            ),
            0,
        ),
        DemographicRecord("workcard", start, 0, (("workCardNum", 1),), 0),
    )
    assert doc.properties.dst is None and doc.properties.timezone_hours == 8.0


def test_bad_demographic_numbers_are_refused_with_their_path():
    body = hx_ccd21(seconds=(41,)).replace(b'maleNum="1"', b'maleNum="-1"')
    with pytest.raises(Exception) as info:
        parse_document(body)
    assert info.value.field == "ReportData/Report[1]/Object[4]/GenderCount[1]/@maleNum"


def test_the_v21_wifi_password_is_never_kept(post_xml, store_a):
    body = hx_ccd21()
    assert post_xml(store_a, body).status_code == 200
    kept = ReceivedDocument.objects.get().raw_body()
    assert b"hunter2-wifi" not in kept
    assert kept == body.replace(b"hunter2-wifi", REDACTED.encode())
    assert Device.objects.get().wifi_ssid == "Atrium-Staff"


# --- replay after the fix (item 4) ----------------------------------------------------------------


def test_a_v21_document_refused_by_the_old_parser_replays_into_counts(store_a, capsys):
    received = timezone.now() - timedelta(days=1)
    body = hx_ccd21(device_id="HX-OLD")
    refused = ReceivedDocument.objects.create(
        store=store_a,
        device_key="HX-OLD",
        body=body,
        size=len(body),
        received_at=received,
        outcome=Outcome.REJECTED,
        error="ReportData/@Interval: Must be whole minutes between 1 and 1440.",  # what the old parser said
    )
    assert not MinuteCount.objects.exists()
    call_command("replay_xml", "--device", "HX-OLD", "--since", (received - timedelta(hours=1)).isoformat())
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary == '{"documents": 1, "accepted": 1, "rejected": 0}'
    refused.refresh_from_db()
    assert (refused.outcome, refused.error, refused.records, refused.applied) == (Outcome.ACCEPTED, "", 12, 12)
    device = Device.objects.get(device_id="HX-OLD")
    assert device.last_seen == received and device.name == "Gate 1"
    assert hours_of(device) == {datetime(2024, 5, 6, 7, tzinfo=UTC): (2, 0)}
    call_command("replay_xml", "--device", "HX-OLD", "--since", (received - timedelta(hours=1)).isoformat())
    assert hours_of(device) == {datetime(2024, 5, 6, 7, tzinfo=UTC): (2, 0)}  # twice changes nothing
