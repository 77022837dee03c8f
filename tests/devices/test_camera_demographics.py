"""Camera demographics (issue 14 item 2): ObjectType 3 stored per device and hour, served, shown,
and work-card staff subtracted from camera footfall where the store asks for it.

Documents are the V2.1 ones of ``test_xml_family`` (per-second, UTC+8, no DST), a V2.1 document
of whole minutes, and Brickstream and classic documents pushed to the same store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics import csv_export
from analytics.dashboard import brand_comparison, store_dashboard, store_range
from devices.models import DemographicCount, Device, HourlyDemographics, Outcome, ReceivedDocument
from devices.selectors import camera_visitors_by_hour, footfall_series, staff_by_hour, without_staff
from devices.services import ingest_document
from tests.devices.test_xml_family import brickstream_2300, brickstream_old, epoch, hx_ccd21

HOUR_7 = datetime(2024, 5, 6, 7, tzinfo=UTC)  # 15:45 at UTC+8
DAY = date(2024, 5, 6)
NOW = datetime(2024, 5, 8, 12, tzinfo=UTC)


def v21_minutes(device_id: str = "HX-M", male: int = 3, work_card: int = 2, transmit: int = 1714980000) -> bytes:
    """V2.1 in interval mode: one whole minute of counts and of ObjectType 3, with UnixStartTime."""
    unix = epoch(HOUR_7 + timedelta(minutes=10))
    attrs = f'StartTime="15:10:00" EndTime="15:11:00" UnixStartTime="{unix}" Status="0"'
    return (
        f'<Metrics SiteId="hx" SiteName="Atrium" DeviceId="{device_id}" DeviceName="Gate 2">'
        f"<Properties><Version>2.1</Version><TransmitTime>{transmit}</TransmitTime><Timezone>8</Timezone>"
        "<SwRelease>V7.2.5.1-V5-21-RT</SwRelease></Properties>"
        '<ReportData Interval="1"><Report Date="2024-05-06">'
        f'<Object ObjectType="0"><Count {attrs} Enters="5" Exits="4"/></Object>'
        f'<Object ObjectType="3"><GenderCount {attrs} maleNum="{male}" femaleNum="1" unknownGenderNum="1"/>'
        f'<AgeCount {attrs} ageLess10Num="1" age10to16Num="0" age17to30Num="2" age31to45Num="1" age46to60Num="1" '
        'ageOver60Num="0" unknownAgeNum="0"/>'
        f'<WorkCardCount {attrs} workCardNum="{work_card}"/></Object>'
        "</Report></ReportData></Metrics>"
    ).encode()


def hourly(device_id: str) -> dict:
    row = HourlyDemographics.objects.get(device__device_id=device_id)
    return {
        "hour": row.hour,
        "male": row.male,
        "female": row.female,
        "age_17_30": row.age_17_30,
        "staff": row.work_card,
    }


def test_per_second_v21_demographics_land_in_their_utc_hour_and_a_repush_never_doubles(store_a):
    assert ingest_document(store_a, hx_ccd21(seconds=(41, 42))).accepted
    expected = {"hour": HOUR_7, "male": 2, "female": 4, "age_17_30": 2, "staff": 2}
    assert hourly("HX-21") == expected
    assert DemographicCount.objects.count() == 3  # one row per kind and minute, never per second
    assert ingest_document(store_a, hx_ccd21(seconds=(41, 42))).accepted  # the same push again
    assert hourly("HX-21") == expected
    assert ingest_document(store_a, hx_ccd21(seconds=(43,))).accepted  # a new second adds
    assert hourly("HX-21") == {"hour": HOUR_7, "male": 3, "female": 6, "age_17_30": 3, "staff": 3}


def test_whole_minutes_supersede_by_transmit_time_on_the_fast_path(store_a):
    assert ingest_document(store_a, v21_minutes(male=3, work_card=2)).applied == 1 + 3
    assert ingest_document(store_a, v21_minutes(male=7, work_card=1, transmit=1714980060)).accepted  # later
    assert ingest_document(store_a, v21_minutes(male=9, work_card=9, transmit=1714979000)).applied == 0  # older
    assert hourly("HX-M") == {"hour": HOUR_7, "male": 7, "female": 1, "age_17_30": 2, "staff": 1}
    row = HourlyDemographics.objects.get()
    assert (row.unknown_gender, row.age_under_10, row.age_31_45, row.age_46_60, row.age_over_60) == (1, 1, 1, 1, 0)


def test_mixed_store_keeps_each_firmware_apart(store_a, api, viewer_a):
    for body in (brickstream_2300(), brickstream_old(), hx_ccd21(), v21_minutes()):
        assert ingest_document(store_a, body).accepted
    assert set(HourlyDemographics.objects.values_list("device__device_id", flat=True)) == {"HX-21", "HX-M"}
    assert staff_by_hour(store_a, HOUR_7, HOUR_7 + timedelta(hours=1)) == {HOUR_7: 2 + 2}
    assert staff_by_hour(store_a, HOUR_7, HOUR_7 + timedelta(hours=1), "HX-M") == {HOUR_7: 2}
    body = api(viewer_a).get(f"/api/stores/{store_a.pk}/demographics?from=2024-05-06").json()
    assert body["staff_subtracted"] is False
    assert body["results"] == [
        {
            "period": "2024-05-06T10:00:00+03:00",
            "sender": None,
            "camera": {
                "male": 2 + 3,
                "female": 4 + 1,
                "unknown_gender": 1,
                "age_under_10": 1,
                "age_10_16": 2,
                "age_17_30": 2 + 2,
                "age_31_45": 2 + 1,
                "age_46_60": 1,
                "age_over_60": 0,
                "unknown_age": 0,
                "work_card": 4,
            },
        }
    ]
    one = api(viewer_a).get(f"/api/stores/{store_a.pk}/demographics?from=2024-05-06&device=HX-M").json()
    assert [r["camera"]["male"] for r in one["results"]] == [3]


def test_sender_and_camera_demographics_side_by_side(store_a, api, viewer_a):
    from analytics.models import HourlyCustomers

    HourlyCustomers.objects.create(store=store_a, hour=HOUR_7, male_count=4, female_count=6, age_18_30=5)
    assert ingest_document(store_a, v21_minutes()).accepted
    [row] = api(viewer_a).get(f"/api/stores/{store_a.pk}/demographics?from=2024-05-06").json()["results"]
    assert row["sender"] == {
        "male_count": 4,
        "female_count": 6,
        "age_18_30": 5,
        "age_30_50": None,
        "age_50_plus": None,
    }
    assert (row["camera"]["male"], row["camera"]["work_card"]) == (3, 2)


def test_another_tenant_gets_404_and_a_bad_device_400(store_a, api, viewer_b):
    assert ingest_document(store_a, v21_minutes()).accepted
    response = api(viewer_b).get(f"/api/stores/{store_a.pk}/demographics?from=2024-05-06")
    assert response.status_code == 404
    assert b"HX-M" not in response.content


def test_unknown_device_is_refused(store_a, api, viewer_a):
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/demographics?device=nope")
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"device": ["No device with this DeviceId in this store."]}},
    )


# --- staff subtraction ------------------------------------------------------------------------------


def test_the_rule_never_goes_below_zero():
    assert (without_staff(5, 2), without_staff(1, 3), without_staff(0, 0)) == (3, 0, 0)


@pytest.fixture
def staffed(store_a):
    """HX-M: 5 enters and 2 staff at 07:10 UTC; HX-21: 2 enters and 2 staff at 07:45."""
    assert ingest_document(store_a, v21_minutes()).accepted
    assert ingest_document(store_a, hx_ccd21(seconds=(41, 42))).accepted
    return store_a


@pytest.mark.parametrize(("subtract", "enters"), [(False, 7), (True, 3)])
def test_footfall_api_subtracts_staff_only_when_set(staffed, api, viewer_a, subtract, enters):
    staffed.subtract_staff = subtract
    staffed.save(update_fields=["subtract_staff"])
    client = api(viewer_a)
    for granularity in ("hour", "day"):
        body = client.get(f"/api/stores/{staffed.pk}/footfall?from=2024-05-06&granularity={granularity}").json()
        assert body["staff_subtracted"] is subtract
        assert [r["enters"] for r in body["results"]] == [enters]
    hx21 = client.get(f"/api/stores/{staffed.pk}/footfall?from=2024-05-06&device=HX-21").json()
    assert [r["enters"] for r in hx21["results"]] == [0 if subtract else 2]  # 2 - 2, never below 0
    children = client.get(f"/api/stores/{staffed.pk}/footfall?from=2024-05-06&object_type=1").json()
    assert [r["enters"] for r in children["results"]] == [2]  # only people counts (type 0) lose staff
    assert camera_visitors_by_hour(staffed, HOUR_7, HOUR_7 + timedelta(hours=1)) == {HOUR_7: enters}


@pytest.mark.parametrize(("subtract", "enters"), [(False, 7), (True, 3)])
def test_dashboard_brand_and_csv_agree(staffed, tenant_a, subtract, enters):
    staffed.subtract_staff = subtract
    staffed.save(update_fields=["subtract_staff"])
    rng = store_range(staffed, DAY, DAY)
    data = store_dashboard(staffed, rng, NOW)
    assert data["comparison"]["camera_footfall"]["current"] == enters
    assert [row["camera_enters"] for row in data["footfall"]] == [enters]
    assert data["camera_demographics"]["work_card"] == 4
    assert data["subtract_staff"] is subtract
    assert data["occupancy"][7 + 3]["inside"] == 7 - 4  # occupancy stays as counted (exits 4)
    text = csv_export.footfall(data)
    assert text.splitlines()[1].split(",")[3] == str(enters)
    assert "camera,work_card,4" in csv_export.camera_demographics(data)
    [row] = [r for r in brand_comparison([staffed], DAY, DAY, NOW) if r["store"].pk == staffed.pk]
    assert row["footfall"] == enters
    assert csv_export.brand([row]).splitlines()[1].split(",")[2] == str(enters)


def test_store_page_shows_both_sources_labelled(staffed, client, brand_admin_a):
    client.force_login(brand_admin_a)
    page = client.get(f"/dashboard/stores/{staffed.pk}/?from=2024-05-06&to=2024-05-06").content.decode()
    assert 'id="table-camera-demographics"' in page
    assert 'id="camera-staff">4<' in page
    assert 'data-source="camera"' in page and 'data-source="sender"' in page
    csv = client.get(f"/dashboard/stores/{staffed.pk}/export/camera-demographics.csv?from=2024-05-06&to=2024-05-06")
    assert csv.status_code == 200 and "camera,male,5" in csv.content.decode()


def test_a_refused_v21_document_replays_into_demographics(store_a, capsys):
    received = timezone.now() - timedelta(days=1)
    body = hx_ccd21(device_id="HX-OLD")
    ReceivedDocument.objects.create(
        store=store_a,
        device_key="HX-OLD",
        body=body,
        size=len(body),
        received_at=received,
        outcome=Outcome.REJECTED,
        error="ReportData/Report[1]/Object[4]/@ObjectType: refused by the old parser",
    )
    since = (received - timedelta(hours=1)).isoformat()
    call_command("replay_xml", "--device", "HX-OLD", "--since", since)
    call_command("replay_xml", "--device", "HX-OLD", "--since", since)  # twice changes nothing
    assert Device.objects.filter(device_id="HX-OLD").exists()
    assert hourly("HX-OLD") == {"hour": HOUR_7, "male": 2, "female": 4, "age_17_30": 2, "staff": 2}


def test_footfall_series_without_the_setting_is_unchanged(staffed):
    rng = store_range(staffed, DAY, DAY, "hour")
    assert [r["enters"] for r in footfall_series(staffed, rng)] == [7]
    assert [r["enters"] for r in footfall_series(staffed, rng, subtract_staff=True)] == [3]


@pytest.mark.parametrize(("subtract", "visitors", "conversion"), [(False, 7, 14.3), (True, 3, 33.3)])
def test_conversion_divides_by_visitors_without_staff_when_set(staffed, api, viewer_a, subtract, visitors, conversion):
    """The till feed's conversion (sales.selectors) reads the same staff rule as footfall."""
    from sales.models import HourlySales
    from sales.selectors import visitors_by_hour

    staffed.subtract_staff = subtract
    staffed.save(update_fields=["subtract_staff"])
    HourlySales.objects.create(store=staffed, hour=HOUR_7, till="", transactions=1, revenue="10.00")
    assert visitors_by_hour(staffed, HOUR_7, HOUR_7 + timedelta(hours=1)) == {HOUR_7: visitors}
    body = api(viewer_a).get(f"/api/stores/{staffed.pk}/sales?from=2024-05-06&granularity=day").json()
    [row] = body["results"]
    assert (row["visitors"], row["conversion"]) == (visitors, conversion)
