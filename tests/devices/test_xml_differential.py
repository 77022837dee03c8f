"""Differential test of the optimised ``devices.xml`` against its frozen pre-optimisation copy.

``tests/devices/xml_reference.py`` is the parser as it was before the walk was made cheaper; it
is the oracle. Every document built here goes through both, and both must either return the same
``DeviceDocument`` (compared by ``repr``, which names every class and field and shows each value's
type and time zone, plus the ``records``/``has_seconds`` properties) or raise ``XMLRejected`` with
the same ``field`` and ``reason``: the first error found must stay the first one found, so
documents carry several faults at once. Documents are the seed samples, every firmware of the
family, synthetic documents with several ReportData/Report/Object/Count, and mutations of all of
them (attributes removed, renamed in another case, duplicated, set to hostile values; elements
renamed, removed, duplicated or added; raw bytes inserted or cut).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import devices.xml as current
from tests.devices import xml_reference as reference
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample
from tests.devices.test_camera_demographics import v21_minutes
from tests.devices.test_hostile_xml import documents as byte_mutated_documents
from tests.devices.test_xml_family import VARIANTS, hx_ccd21

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(module, body: bytes) -> tuple:
    """What a parser makes of ``body``, in a form comparable across the two modules' classes."""
    try:
        parsed = module.parse_document(body)
    except module.XMLRejected as exc:
        return ("rejected", exc.field, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a crash must at least be the same crash
        return ("crashed", type(exc).__name__, str(exc))
    return ("accepted", repr(parsed), parsed.records, parsed.has_seconds)


def assert_same(body: bytes) -> tuple:
    expected = outcome(reference, body)
    assert outcome(current, body) == expected, body
    return expected


# --- base documents ---------------------------------------------------------------------------

DEMOGRAPHICS_UNIX = (  # ObjectType 3 with UnixStartTime, lower-case element names and Status values
    b'<RTMetrics DeviceId="HX-9" SiteName="Atrium"><Properties><Timezone>8</Timezone></Properties>'
    b'<ReportData Interval="0"><Report Date="2024-05-06"><Object ObjectType="3">'
    b'<GenderCount StartTime="15:45:01" UnixStartTime="1714981501" maleNum="1" femaleNum="2" Status="1"/>'
    b'<gendercount StartTime="15:45:02" UnixStartTime="1714981502" MALENUM="3" femalenum="4"/>'
    b'<AgeCount StartTime="15:45:01" UnixStartTime="1714981501" age17to30Num="5" Status="-3"/>'
    b'<WorkCardCount StartTime="15:45:01" UnixStartTime="1714981501" workCardNum="2"/>'
    b'<FaceCount StartTime="15:45:01" faces="9"/>'
    b"</Object></Report></ReportData></RTMetrics>"
)
ZONE_NAME_ONLY = document(  # no Timezone: TimezoneName places counts without UnixStartTime
    timezone="",
    properties_extra="<TimezoneName>Europe/Istanbul</TimezoneName>",
    reports=[report_xml(objects=[object_xml(counts=[count_xml(unix=None), count_xml(start="15:28:00", unix=0)])])],
)
BASES = [
    sample("rtmetrics"),
    sample("metrics"),
    sample("diags"),
    *(body for body, *_ in VARIANTS.values()),
    hx_ccd21(seconds=(1, 2, 3)),
    v21_minutes(),
    DEMOGRAPHICS_UNIX,
    ZONE_NAME_ONLY,
]


@pytest.mark.parametrize("body", BASES)
def test_base_documents_parse_the_same(body):
    assert assert_same(body)[0] == "accepted"


# --- hostile values ---------------------------------------------------------------------------

NUMBERS = [
    "0",
    "00",
    "1",
    "2",
    "15",
    "255",
    "256",
    "999",
    "1000",
    "999999",
    "1000000",
    "1000001",
    "0001000000",
    "999999999999",
    "9999999999999",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "-1",
    "-0",
    "+1",
    " 5 ",
    "5 ",
    "1e3",
    "1.5",
    "0x10",
    "٣",
    "３",
    "1٣",
    "𝟑",
    "²",
    "",
    " ",
    "abc",
]
TIMES = ["15:27:00", "9:05", "15:27", "0:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:61", "1:2:3", "15:27:00:00"]
DATES = ["2022-11-07", "2024-02-29", "2023-02-29", "9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "2022-1-7"]
EPOCHS = ["1667806020", "0", "000", "946684799", "946684800", "4102444799", "4102444800", "1e12", " 1667806020"]
ZONES = ["Europe/Istanbul", "Asia/Kolkata", "UTC", "(GMT+03:00) Istanbul", "Nowhere/Zone", "../etc", "America/"]
HOURS = ["8", "-5", "5.5", "14", "-12", "14.0001", "15", "+3", "8.12345", "٨", "abc"]
TEXTS = [
    "",
    " padded ",
    " \n\t ",
    "a\tb",
    "tab\t",
    "x" * 64,
    "x" * 65,
    "x" * 128,
    "x" * 129,
    "naïve",
    "\u00a0nbsp\u2028",
]
values = st.one_of(
    st.sampled_from(NUMBERS + TIMES + DATES + EPOCHS + ZONES + HOURS + TEXTS + ["-1", "3"]),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=10),
)
ATTRIBUTES = [
    "DeviceId",
    "DeviceName",
    "SiteId",
    "SiteName",
    "DivisionId",
    "ExternalId",
    "Interval",
    "Date",
    "ObjectType",
    "StartTime",
    "UnixStartTime",
    "Enters",
    "Exits",
    "Passings",
    "Returns",
    "Status",
    "maleNum",
    "femaleNum",
    "workCardNum",
    "age17to30Num",
]
TAGS = ["ReportData", "Report", "Object", "Count", "GenderCount", "AgeCount", "WorkCardCount", "Properties"]
PROPERTIES = ["Timezone", "DST", "TimezoneName", "TransmitTime", "HttpPort", "HttpsPort", "SerialNumber", "HostName"]


def _xml_safe(value: str) -> str:
    """lxml refuses characters XML cannot hold; those are tested by the byte mutations instead."""
    return "".join(ch for ch in value if ch in "\t\n\r" or ch >= " ")


def _spellings(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.upper(), name.swapcase()])


def _set_attribute(element, name: str, value: str) -> None:
    try:
        element.set(name, _xml_safe(value))
    except ValueError:  # e.g. a name lxml will not take
        pass


def mutate_tree(body: bytes, draw) -> bytes:
    """1-5 structural mutations of a parsed copy of ``body``, drawn from hypothesis."""
    try:
        root = etree.fromstring(body.lstrip())
    except etree.XMLSyntaxError:
        return body  # a malformed synthetic document (e.g. an attribute twice): compared as it is
    for _ in range(draw(st.integers(1, 5))):
        elements = list(root.iter())
        if draw(st.booleans()):  # mostly the elements whose attributes are read, not Properties' children
            elements = [e for e in elements if e is root or e.getparent() is not None and len(e.attrib)] or elements
        element = elements[draw(st.integers(0, len(elements) - 1))]
        kind = draw(
            st.sampled_from(
                ["set", "set", "set", "remove", "respell", "respell", "duplicate_attr", "duplicate_attr"]
                + ["text", "tag", "drop", "copy", "add"]
            )
        )
        present = list(element.attrib)
        if kind == "set":
            _set_attribute(element, draw(st.sampled_from(present + ATTRIBUTES)), draw(values))
        elif kind == "remove" and present:
            del element.attrib[draw(st.sampled_from(present))]
        elif kind == "respell" and present:  # Enters="2" -> enters="2", keeping document order
            old = draw(st.sampled_from(present))
            new = draw(_spellings(old))
            items = [(new if key == old else key, value) for key, value in element.items()]
            element.attrib.clear()
            for key, value in items:
                element.set(key, value)
        elif kind == "duplicate_attr" and present:  # enters="7" Enters="2": the exact spelling wins
            old = draw(st.sampled_from(present))
            other = draw(_spellings(old).filter(lambda spelling, old=old: spelling != old))
            items = element.items()
            items.insert(draw(st.integers(0, len(items))), (other, _xml_safe(draw(values))))
            element.attrib.clear()
            for key, value in items:
                element.set(key, value)
        elif kind == "text":
            target = element
            if element.tag == "Properties" or not draw(st.integers(0, 3)):
                name = draw(st.sampled_from(PROPERTIES))
                target = root.find("Properties")
                if target is None:
                    target = etree.SubElement(root, "Properties")
                found = target.find(name)
                target = found if found is not None else etree.SubElement(target, draw(_spellings(name)))
            target.text = _xml_safe(draw(values))
        elif kind == "tag" and isinstance(element.tag, str):
            element.tag = draw(st.sampled_from([element.tag.lower(), element.tag.upper(), *TAGS, "Diags", "Metrics"]))
        elif kind == "drop" and element is not root:
            element.getparent().remove(element)
        elif kind == "copy" and element is not root:
            element.addnext(copy.deepcopy(element))
        elif kind == "add":
            child = etree.SubElement(element, draw(st.sampled_from([*TAGS, "Unknown", "Count"])))
            for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=6)):
                _set_attribute(child, name, draw(values))
    return etree.tostring(root)


@SETTINGS
@given(st.sampled_from(BASES), st.data())
def test_structural_mutations_parse_the_same(base, data):
    assert_same(mutate_tree(base, data.draw))


# --- synthetic documents: several ReportData, Report, Object and Count ---------------------------


def mostly(usual, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` three times in four: documents whose early parts are fine reach their Counts."""
    return st.integers(0, 3).flatmap(lambda pick: unusual if pick == 0 else st.just(usual))


@st.composite
def count_elements(draw) -> str:
    faulty = not draw(st.integers(0, 3))  # a Count with several faults at once: which one is reported

    def value(default: str) -> str:
        return draw(st.sampled_from(NUMBERS) if faulty else mostly(default, st.sampled_from(NUMBERS)))

    unix = draw(st.one_of(st.none(), st.sampled_from(EPOCHS), st.integers(946684800, 4102444799)))
    return count_xml(
        start=draw(mostly("15:27:00", st.sampled_from([*TIMES, ""]))),
        unix=unix,
        enters=value("2"),
        exits=value("1"),
        passings=value("0"),
        returns=value("0"),
        status=draw(mostly("0", st.sampled_from(["4", "-1", "", " 7 ", "2147483648", "x"]))),
        extra=draw(st.sampled_from(["", ' Extra="1"', ' enters="9"', ' STATUS="3"'])),
    ).replace(
        "<Count ", draw(st.sampled_from(["<Count ", '<Count exits="x" ', '<Count enters="7" UNIXSTARTTIME="0" ']))
    )


@st.composite
def demographic_elements(draw) -> str:
    tag = draw(st.sampled_from(["GenderCount", "AgeCount", "WorkCardCount", "agecount", "Other"]))
    names = draw(st.lists(st.sampled_from(ATTRIBUTES[-4:] + ["maleNum", "unknownAgeNum"]), max_size=4))
    attrs = "".join(f' {name}="{draw(st.sampled_from(NUMBERS[:12]))}"' for name in dict.fromkeys(names))
    start = draw(st.sampled_from(TIMES[:3]))
    unix = draw(st.one_of(st.just(""), st.sampled_from([' UnixStartTime="1714981501"', ' UnixStartTime="0"'])))
    return f'<{tag} StartTime="{start}"{unix}{attrs}/>'


@st.composite
def synthetic_documents(draw) -> bytes:
    def objects() -> list[str]:
        out = []
        for _ in range(draw(st.integers(0, 3))):
            object_type = draw(mostly("0", st.sampled_from(["1", "2", "3", "3", "7", "256", "", "x"])))
            if object_type == "3":
                inner = draw(st.lists(demographic_elements(), max_size=4))
            else:
                inner = draw(st.lists(count_elements(), max_size=4))
            out.append(object_xml(object_type, inner))
        return out

    reports = [
        report_xml(draw(mostly("2022-11-07", st.sampled_from([*DATES, ""]))), objects())
        for _ in range(draw(st.integers(1, 3)))
    ]
    body = document(
        root=draw(st.sampled_from(["Metrics", "RTMetrics", "RTMetrics", "Diags"])),
        transmit=draw(mostly(1667806920, st.sampled_from([None, *EPOCHS]))),
        timezone=draw(mostly("8", st.sampled_from([*HOURS, ""]))),
        dst=draw(mostly("0", st.sampled_from(["1", "-1", "", "2"]))),
        interval=draw(mostly("1", st.sampled_from(["0", "15", "1440", "1441", "", None, "-1", "١"]))),
        reports=reports,
        properties_extra=draw(
            st.sampled_from(["", "<TimezoneName>Asia/Kolkata</TimezoneName>", "<HttpPort>8080</HttpPort>"])
        ),
    )
    for attribute, usual in (("SiteName", "Mall"), ("DeviceName", "Door"), ("DeviceId", "cam-1")):
        value = draw(mostly(usual, st.sampled_from(TEXTS).map(_xml_safe)))
        body = body.replace(f' {attribute}="{usual}"'.encode(), f' {attribute}="{value}"'.encode(), 1)
    if draw(st.booleans()):
        body = body.replace(b" SiteId=", f' DivisionId="{draw(st.sampled_from(TEXTS))}" SiteId='.encode(), 1)
    repeat = draw(st.integers(1, 2))  # a second ReportData: ReportData[2] in the paths
    if repeat == 2 and b"</ReportData>" in body:
        start = body.index(b"<ReportData")
        end = body.index(b"</ReportData>") + len(b"</ReportData>")
        body = body[:end] + body[start:end] + body[end:]
    return body


@SETTINGS
@given(synthetic_documents())
def test_synthetic_documents_parse_the_same(body):
    assert_same(body)


@settings(max_examples=200, deadline=None)
@given(synthetic_documents(), st.data())
def test_mutated_synthetic_documents_parse_the_same(body, data):
    assert_same(mutate_tree(body, data.draw))


@settings(max_examples=200, deadline=None)
@given(byte_mutated_documents)
def test_byte_mutations_parse_the_same(body):
    assert_same(body)


# --- limits ------------------------------------------------------------------------------------


def _many_counts(n: int, last: str = count_xml()) -> bytes:
    counts = [count_xml(unix=1667806020 + 60 * (i % 500)) for i in range(n - 1)] + [last]
    return document(reports=[report_xml(objects=[object_xml(counts=counts)])])


def _with_properties(inner: str) -> bytes:
    return document(properties_extra=inner).replace(b"<Version>1</Version>", b"")


# Whitespace-only text is not kept by the parser (remove_blank_text); element text must not change.
WHITESPACE = [
    _with_properties("<Version> \n\t </Version>"),
    _with_properties("<Version>\n  <x/>2.1</Version>"),
    _with_properties("<Version>  <!-- c -->3 </Version>"),
    _with_properties("<Version>4<!-- c -->  <!-- d -->5</Version>"),
    _with_properties("<Version>  <![CDATA[ 6 ]]>  </Version>"),
    _with_properties("<Version>  <?pi x?>7</Version>"),
    _with_properties('<Version xml:space="preserve">  </Version>'),
    _with_properties("<Version>&#32;&#10;8</Version>"),
    _with_properties("<Version>&#9;</Version>"),
    _with_properties("<Version> a&#9;b </Version>"),
    _with_properties("<DST> </DST><Timezone>\n</Timezone><TransmitTime>\r\n</TransmitTime>"),
    _with_properties("<Timezone> <y/>5.5</Timezone>"),
    b"<Metrics DeviceId=' \n cam '>\n\n<Properties>\n\n</Properties>\n</Metrics>\n",
]


@pytest.mark.parametrize("body", WHITESPACE)
def test_whitespace_text_parses_the_same(body):
    assert_same(body)


def _with_count_attributes(attributes: str) -> bytes:
    return document(reports=[report_xml(objects=[object_xml(counts=[f"<Count {attributes}/>"])])])


# Another spelling before the exact one: the exact one wins, wherever it stands.
SPELLINGS = [
    b'<Metrics deviceid="b" DeviceId="a" sitename="s" SiteName="t" SITENAME="u"/>',
    b'<Metrics DEVICEID="b" Sitename="Mall" devicename="d" DeviceName="e" divisionid="v"/>',
    b'<Metrics deviceid="" DeviceId="a"/>',
    b'<Metrics DeviceId="" deviceid="a"/>',
    _with_count_attributes('starttime="15:27:00" enters="9" Enters="2" exits="x" Exits="1" status="-1" Status="4"'),
    _with_count_attributes('StartTime="15:27:00" ENTERS="9" enters="8" Exits="1"'),
    _with_count_attributes('unixstarttime="1667806020" UnixStartTime="0" StartTime="15:27:00" Enters="1" Exits="1"'),
    _with_count_attributes('UnixStartTime="1667806020" Enters="x" Exits="y" Passings="z" Status="w"'),
    _with_count_attributes('StartTime="25:00:00" UnixStartTime="1e3" Enters="x"'),
    _with_count_attributes(
        'UnixStartTime="1667806020" Enters="1" Exits="1" Passings="1000001" Returns="-1" Status="x"'
    ),
]


@pytest.mark.parametrize("body", SPELLINGS)
def test_spellings_and_several_faults_parse_the_same(body):
    assert_same(body)


@pytest.mark.parametrize(
    "body",
    [
        _many_counts(20_000),
        _many_counts(20_001),
        _many_counts(20_001, last=count_xml(enters="x")),  # its own fault comes before the total's
        b'<Metrics DeviceId="deep">' + b"<a>" * 8 + b"</a>" * 8 + b"</Metrics>",
        b'<Metrics DeviceId="deep">' + b"<a>" * 7 + b"</a>" * 7 + b"</Metrics>",
        b"",
        b"  \n",
        b'<!DOCTYPE x [<!ENTITY a "b">]><Metrics DeviceId="x"/>',
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE x><Metrics DeviceId="x"/>'.encode("utf-16"),
        b'\n\n<?xml version="1.0"?><Metrics DeviceId="x"/>',
        b'<metrics DeviceId="x"/>',
        b'<Metrics deviceid="x" SITENAME="s\tt"/>',
    ],
)
def test_limits_and_refusals_are_the_same(body):
    assert_same(body)
