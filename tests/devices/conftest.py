"""Helpers for the devices tests: the seed samples as files and a builder for synthetic documents."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    """``metrics``, ``rtmetrics`` or ``diags``: the seed's documents, byte for byte as stored."""
    return (SAMPLES / f"{name}.xml").read_bytes()


def count_xml(
    start: str = "15:27:00",
    unix: int | None = 1667806020,
    enters="2",
    exits="1",
    passings="0",
    returns="0",
    status="0",
    extra: str = "",
) -> str:
    unix_attr = f' UnixStartTime="{unix}"' if unix is not None else ""
    return (
        f'<Count StartTime="{start}" EndTime="00:00:00"{unix_attr} Enters="{enters}" Exits="{exits}" '
        f'Passings="{passings}" Returns="{returns}" Status="{status}"{extra} />'
    )


def object_xml(object_type="0", counts: list[str] | None = None) -> str:
    inner = "".join(counts if counts is not None else [count_xml()])
    return f'<Object Id="0" DeviceId="cam-1" DeviceName="Door" ObjectType="{object_type}" Name="count">{inner}</Object>'


def report_xml(date: str = "2022-11-07", objects: list[str] | None = None) -> str:
    inner = "".join(objects if objects is not None else [object_xml()])
    return f'<Report Date="{date}">{inner}</Report>'


def document(
    root: str = "Metrics",
    device_id: str = "cam-1",
    transmit: int | None = 1667806920,
    timezone: str = "8",
    dst: str = "0",
    interval: str | None = "1",
    reports: list[str] | None = None,
    properties_extra: str = "",
    sw_release: str = "4.3.0",
) -> bytes:
    """A document shaped like the seed's, with the parts a test varies as arguments."""
    transmit_el = f"<TransmitTime>{transmit}</TransmitTime>" if transmit is not None else ""
    interval_attr = f' Interval="{interval}"' if interval is not None else ""
    report_data = ""
    if root != "Diags":
        report_data = (
            f"<ReportData{interval_attr}>{''.join(reports if reports is not None else [report_xml()])}</ReportData>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<{root} SiteId="s1" SiteName="Mall" DeviceId="{device_id}" '
        f'DeviceName="Door"><Properties><Version>1</Version>{transmit_el}<MacAddress>4C:BC:98:60:27:8A</MacAddress>'
        f"<IpAddress>192.168.8.223</IpAddress><ConnectionType>Wired</ConnectionType><HostName>Cam-1</HostName>"
        f"<Timezone>{timezone}</Timezone><DST>{dst}</DST><SerialNumber>SN-1</SerialNumber>"
        f"<SwRelease>{sw_release}</SwRelease>{properties_extra}</Properties>{report_data}</{root}>"
    ).encode()


@pytest.fixture
def post_xml(client):
    """``post_xml(store_or_key, body, content_type="text/xml", slash=True, **extra)`` → response."""

    def post(store, body: bytes, content_type: str = "text/xml", slash: bool = True, **extra):
        key = store if isinstance(store, str) else store.ingest_key
        url = f"/api/devices/xml/{key}/" if slash else f"/api/devices/xml/{key}"
        return client.generic("POST", url, body, content_type=content_type, **extra)

    return post
