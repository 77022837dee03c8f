"""Frozen reference: the pre-optimisation ``devices/xml.py``, kept verbatim as the oracle of a differential test.

``tests/devices/test_xml_differential.py`` checks that the optimised ``devices.xml.parse_document``
returns the same documents and raises the same ``XMLRejected`` (field and reason) as this copy.
Never import it from product code, and never edit it to make a test pass: it defines the behaviour.

The original module docstring follows.

Parser for the camera XML documents of seed 003: ``Metrics``, ``RTMetrics`` and ``Diags``.

Input is untrusted. The parser is libxml2 through lxml with everything dangerous switched off
(no entity resolution, no DTD loading, no network, no huge trees); any DTD at all is refused,
first by a byte scan before parsing and again from the parsed document's info, so a billion
laughs, a quadratic blowup, an external entity or an external DTD never gets expanded or
fetched (libxml2 also caps entity amplification). lxml's safe parse measured ~4x faster than
defusedxml here, which matters on the busiest endpoint. Every value is checked; the result is
plain dataclasses, with no Django in sight, or an ``XMLRejected`` naming the field and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

ROOTS = ("Metrics", "RTMetrics", "Diags")
COUNT_ROOTS = ("Metrics", "RTMetrics")
MAX_DEPTH = 8  # the format nests 5 deep: Metrics/ReportData/Report/Object/Count
MAX_COUNTS = 20_000
MAX_COUNT_VALUE = 1_000_000  # crossings in one interval; anything above is a broken counter
MAX_INTERVAL_MINUTES = 1440
MAX_TEXT = 128
OBJECT_TYPES = (0, 1, 2)  # people counts; 3 carries demographics (V2.1), others are ignored
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
COUNT_FIELDS = ("Enters", "Exits", "Passings", "Returns")
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")

# ASCII digits only: ``\d`` and ``int()`` also take other scripts' digits ("٣" would count as 3).
_UINT = re.compile(r"[0-9]{1,12}")
_INT = re.compile(r"-?[0-9]{1,12}")
_NUMBER = re.compile(r"[-+]?[0-9]{1,3}(\.[0-9]{1,4})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")
_EARLIEST_EPOCH = int(EARLIEST.timestamp())
_LATEST_EPOCH = int(LATEST.timestamp())
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")
DEPTH_REASON = f"The document nests too deep: at most {MAX_DEPTH} levels of elements."
_DEVICE_ID_SNIFF = re.compile(rb"""<(?:Metrics|RTMetrics|Diags)\b[^>]*?\sDeviceId\s*=\s*["']([^"'<>]{1,64})["']""")

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)


class XMLRejected(ValueError):
    """A document that must be answered 400: ``field`` says where, ``reason`` says why (client-safe)."""

    def __init__(self, reason: str, field: str = "body") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class DeviceProperties:
    """``<Properties>``: what the camera says about itself (element names matched case-insensitively)."""

    transmit_time: datetime | None = None  # absent on older Brickstream firmware: receipt time orders
    interface_version: str = ""
    mac_address: str = ""
    ip_address: str = ""
    connection_type: str = ""
    ip_address_method: str = ""
    host_name: str = ""
    timezone_hours: float | None = None
    dst: int | None = None  # 0, 1, or -1 (unknown; counts as 0)
    hw_platform: str = ""
    serial_number: str = ""
    device_type: str = ""
    sw_release: str = ""
    timezone_name: str = ""  # Brickstream TimezoneName; an IANA name places counts when Timezone is absent
    http_port: int | None = None
    https_port: int | None = None
    wifi_ssid: str = ""


@dataclass(frozen=True)
class CountRecord:
    """One ``<Count>``: crossings of one object type during one interval starting at ``period_start`` (UTC).

    ``interval`` is in minutes; 0 means one second (``ReportData Interval="0"``, HX-CCD21 V2.1
    real-time counts), which the services fold into the minute it falls in.
    """

    object_type: int
    period_start: datetime
    interval: int
    enters: int
    exits: int
    passings: int
    returns: int
    status: int


@dataclass(frozen=True)
class DemographicRecord:
    """One ``GenderCount``/``AgeCount``/``WorkCardCount`` of an ObjectType 3 object (HX-CCD21 V2.1)."""

    kind: str  # "gender", "age" or "workcard"
    period_start: datetime
    interval: int
    values: tuple[tuple[str, int], ...]  # (attribute as sent in DEMOGRAPHIC_FIELDS, value)
    status: int


@dataclass(frozen=True)
class DeviceDocument:
    """A parsed, fully validated document."""

    kind: str
    device_id: str
    device_name: str
    site_id: str
    site_name: str
    properties: DeviceProperties
    counts: tuple[CountRecord, ...]
    demographics: tuple[DemographicRecord, ...] = ()
    division_id: str = ""  # Brickstream DivisionId
    external_id: str = ""  # Brickstream Object/@ExternalId (of the first object that has one)

    @property
    def records(self) -> int:
        """Count and demographic records, as the reply's ``records`` reports them."""
        return len(self.counts) + len(self.demographics)

    @property
    def has_seconds(self) -> bool:
        """Per-second counts (``Interval="0"``), which only the ORM path folds into minutes."""
        return any(count.interval == 0 for count in self.counts)


# Properties element (lower case) -> dataclass field
_TEXT_PROPERTIES = {
    "version": "interface_version",
    "macaddress": "mac_address",
    "ipaddress": "ip_address",
    "connectiontype": "connection_type",
    "ipaddressmethod": "ip_address_method",
    "hostname": "host_name",
    "hwplatform": "hw_platform",
    "serialnumber": "serial_number",
    "devicetype": "device_type",
    "swrelease": "sw_release",
    "timezonename": "timezone_name",
    "wifissid": "wifi_ssid",
}
_PORT_PROPERTIES = {"httpport": "http_port", "httpsport": "https_port"}

# ObjectType 3 children (lower case) -> (kind, attributes kept, in the vendor's spelling)
DEMOGRAPHIC_FIELDS = {
    "gendercount": ("gender", ("maleNum", "femaleNum", "unknownGenderNum")),
    "agecount": (
        "age",
        (
            "ageLess10Num",
            "age10to16Num",
            "age17to30Num",
            "age31to45Num",
            "age46to60Num",
            "ageOver60Num",
            "unknownAgeNum",
        ),
    ),
    "workcardcount": ("workcard", ("workCardNum",)),
}
DEMOGRAPHICS_OBJECT_TYPE = 3


def sniff_device_id(body: bytes) -> str:
    """The root's ``DeviceId`` found by a plain regex, to label a document that did not parse."""
    match = _DEVICE_ID_SNIFF.search(body[:4096])
    return match.group(1).decode("utf-8", "replace").strip() if match else ""


def parse_document(body: bytes) -> DeviceDocument:
    """Parse and validate one pushed document; raise ``XMLRejected`` for anything unacceptable.

    Forward compatible: unknown elements and attributes are ignored, attribute names are
    matched case-insensitively (Brickstream writes ``Sitename``/``Devicename``), and only what
    makes the document unusable is refused, with its path.
    """
    root = _parse_tree(body)
    kind = root.tag
    if kind not in ROOTS:
        raise XMLRejected(f"Root element must be one of {', '.join(ROOTS)}.", "root")
    device_id = _attr_text(root, "DeviceId", "DeviceId", required=True, max_length=64)
    properties = _parse_properties(_child(root, "Properties"))
    counts: list[CountRecord] = []
    demographics: list[DemographicRecord] = []
    objects: list = []
    if kind in COUNT_ROOTS:
        for d_index, report_data in enumerate(_children(root, "ReportData"), start=1):
            path = "ReportData" if d_index == 1 else f"ReportData[{d_index}]"
            _parse_report_data(report_data, path, properties, counts, demographics, objects)
    device_name = _attr_text(root, "DeviceName", "DeviceName")
    external_id = ""
    for o_path, obj in objects:  # Brickstream names the device on its objects too
        device_name = device_name or _optional_text(obj, "DeviceName", f"{o_path}/@DeviceName")
        external_id = external_id or _optional_text(obj, "ExternalId", f"{o_path}/@ExternalId")
    return DeviceDocument(
        kind=kind,
        device_id=device_id,
        device_name=device_name,
        site_id=_attr_text(root, "SiteId", "SiteId"),
        site_name=_attr_text(root, "SiteName", "SiteName"),
        properties=properties,
        counts=tuple(counts),
        demographics=tuple(demographics),
        division_id=_attr_text(root, "DivisionId", "DivisionId"),
        external_id=external_id,
    )


def _parse_tree(body: bytes) -> etree._Element:
    if not body or not body.strip():
        raise XMLRejected("The body is empty; expected an XML document.")
    if any(marker in body for marker in DTD_MARKERS):
        raise XMLRejected("DTDs and entity declarations are refused.")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        # Firmwares sometimes put a newline before the XML declaration; that alone is harmless.
        root = etree.fromstring(body.lstrip(b" \t\r\n"), parser)
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc):
            raise XMLRejected("DTDs and entity declarations are refused.") from None
        if "depth" in str(exc).lower():  # libxml2 stops at 256 levels, long before our own check runs
            raise XMLRejected(DEPTH_REASON) from None
        line = getattr(exc, "lineno", None)
        raise XMLRejected(f"Malformed XML (line {line})." if line else "Malformed XML.") from None
    except (ValueError, etree.LxmlError):
        raise XMLRejected("Malformed XML.") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XMLRejected("DTDs and entity declarations are refused.")
    _check_depth(root)
    return root


# An element MAX_DEPTH + 1 levels down, found in C (a Python walk over every element's start and
# end cost ~9 of a push's ~120 µs of parsing). Comments and processing instructions are removed
# by the parser, so elements are all the tree holds.
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_DEPTH + 1)) + ")")


def _check_depth(root: etree._Element) -> None:
    if _TOO_DEEP(root):
        raise XMLRejected(DEPTH_REASON)


def _attr(element, name: str) -> str | None:
    """The attribute ``name``, matched case-insensitively when not spelled exactly (``Sitename``)."""
    value = element.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in element.items():
        if isinstance(key, str) and key.lower() == wanted:
            return candidate
    return None


def _local(tag) -> str:
    return tag.lower() if isinstance(tag, str) else ""


def _child(element, name: str):
    wanted = name.lower()
    return next((child for child in element if _local(child.tag) == wanted), None)


def _children(element, name: str) -> list:
    wanted = name.lower()
    return [child for child in element if _local(child.tag) == wanted]


_CONTROL = re.compile(r"[\x00-\x1f]")


def _clean_text(value: str | None, field: str, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise XMLRejected(f"At most {max_length} characters.", field)
    if _CONTROL.search(text):
        raise XMLRejected("Control characters are not allowed.", field)
    return text


def _attr_text(element, name: str, field: str, required: bool = False, max_length: int = MAX_TEXT) -> str:
    text = _clean_text(_attr(element, name), field, max_length)
    if required and not text:
        raise XMLRejected("Required attribute is missing or empty.", field)
    return text


def _optional_text(element, name: str, field: str) -> str:
    """An informational attribute: one that is too long or holds control characters is ignored."""
    try:
        return _attr_text(element, name, field)
    except XMLRejected:
        return ""


def _epoch(text: str, field: str) -> datetime:
    if not _UINT.fullmatch(text):
        raise XMLRejected("Must be a Unix time in whole seconds.", field)
    seconds = int(text)
    # Range first: fromtimestamp() raises for years past 9999 (999999999999 is year 33658).
    if not _EARLIEST_EPOCH <= seconds < _LATEST_EPOCH:
        raise XMLRejected("Impossible date: must fall between 2000 and 2100.", field)
    return EARLIEST + timedelta(seconds=seconds - _EARLIEST_EPOCH)


def _parse_properties(element) -> DeviceProperties:
    if element is None:
        return DeviceProperties()
    values: dict[str, object] = {}
    for child in element:
        tag = _local(child.tag)
        field = f"Properties/{child.tag}"
        text = (child.text or "").strip() if tag else ""
        if tag in _TEXT_PROPERTIES:
            values[_TEXT_PROPERTIES[tag]] = _clean_text(child.text, field)
        elif tag in _PORT_PROPERTIES:
            # Informational only: a port that is not one is ignored rather than costing the counts.
            if _UINT.fullmatch(text) and 0 < int(text) <= 65535:
                values[_PORT_PROPERTIES[tag]] = int(text)
        elif tag == "transmittime":
            if text:
                values["transmit_time"] = _epoch(text, field)
        elif tag == "timezone":
            if text:
                if not _NUMBER.fullmatch(text) or not -12 <= float(text) <= 14:
                    raise XMLRejected("Must be an hour offset between -12 and 14 (e.g. 8, -5, 5.5).", field)
                values["timezone_hours"] = float(text)
        elif tag == "dst":
            if text:
                if text not in ("0", "1", "-1"):
                    raise XMLRejected("Must be 0, 1 or -1 (unknown).", field)
                values["dst"] = int(text)
    return DeviceProperties(**values)  # type: ignore[arg-type]


def _parse_report_data(
    element,
    path: str,
    properties: DeviceProperties,
    counts: list[CountRecord],
    demographics: list[DemographicRecord],
    objects: list,
) -> None:
    interval_text = (_attr(element, "Interval") or "").strip()
    if not _UINT.fullmatch(interval_text) or not 0 <= int(interval_text) <= MAX_INTERVAL_MINUTES:
        raise XMLRejected(
            f"Must be whole minutes between 1 and {MAX_INTERVAL_MINUTES}, or 0 (real-time counts per second).",
            f"{path}/@Interval",
        )
    interval = int(interval_text)
    for r_index, report in enumerate(_children(element, "Report"), start=1):
        r_path = f"{path}/Report[{r_index}]"
        day = _LazyDate(_attr(report, "Date"), f"{r_path}/@Date")
        for o_index, obj in enumerate(_children(report, "Object"), start=1):
            o_path = f"{r_path}/Object[{o_index}]"
            objects.append((o_path, obj))
            object_type_text = (_attr(obj, "ObjectType") or "").strip()
            if not _UINT.fullmatch(object_type_text) or int(object_type_text) > 255:
                raise XMLRejected(
                    "Must be 0 (total), 1 (adults), 2 (children) or 3 (demographics).", f"{o_path}/@ObjectType"
                )
            object_type = int(object_type_text)
            if object_type in OBJECT_TYPES:
                for c_index, count in enumerate(_children(obj, "Count"), start=1):
                    c_path = f"{o_path}/Count[{c_index}]"
                    counts.append(_parse_count(count, c_path, day, object_type, interval, properties))
                    _check_total(counts, demographics)
            elif object_type == DEMOGRAPHICS_OBJECT_TYPE:
                seen: dict[str, int] = {}
                for child in obj:
                    tag = _local(child.tag)
                    if tag not in DEMOGRAPHIC_FIELDS:
                        continue  # unknown kinds of a newer firmware
                    seen[tag] = seen.get(tag, 0) + 1
                    d_path = f"{o_path}/{child.tag}[{seen[tag]}]"
                    demographics.append(_parse_demographic(child, tag, d_path, day, interval, properties))
                    _check_total(counts, demographics)
            # Any other ObjectType is a newer firmware's: ignored, never a refusal.


def _check_total(counts: list, demographics: list) -> None:
    if len(counts) + len(demographics) > MAX_COUNTS:
        raise XMLRejected(f"At most {MAX_COUNTS} Count records per document.", "ReportData")


class _LazyDate:
    """``Report/@Date``: an impossible one is refused, a missing one only when a record needs it
    (one with a usable UnixStartTime does not)."""

    def __init__(self, text: str | None, field: str) -> None:
        self.text, self.field = text, field
        self._day: date | None = _parse_date(text, field) if (text or "").strip() else None

    def get(self) -> date:
        if self._day is None:
            self._day = _parse_date(self.text, self.field)
        return self._day


def _parse_date(text: str | None, field: str) -> date:
    text = (text or "").strip()
    if not _DATE.fullmatch(text):
        raise XMLRejected("Required, as YYYY-MM-DD.", field)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise XMLRejected("Impossible date.", field) from None
    if not EARLIEST.date() <= day < LATEST.date():
        raise XMLRejected("Impossible date: must fall between 2000 and 2100.", field)
    return day


def _parse_clock(text: str, field: str) -> time:
    if not _TIME.fullmatch(text):
        raise XMLRejected("Must be a time as HH:MM:SS.", field)
    parts = [int(p) for p in text.split(":")]
    try:
        return time(*parts)
    except ValueError:
        raise XMLRejected("Impossible time of day.", field) from None


def _count_value(element, name: str, path: str, required: bool) -> int:
    text = (_attr(element, name) or "").strip()
    field = f"{path}/@{name}"
    if not text:
        if required:
            raise XMLRejected("Required attribute is missing.", field)
        return 0
    if not _UINT.fullmatch(text):
        raise XMLRejected("Must be a non-negative whole number.", field)
    value = int(text)
    if value > MAX_COUNT_VALUE:
        raise XMLRejected(f"At most {MAX_COUNT_VALUE}.", field)
    return value


def _timezone(name: str) -> ZoneInfo | None:
    """An IANA zone from ``TimezoneName``, or ``None`` for a vendor label such as "(GMT+03:00) Istanbul"."""
    if not name or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _period_start(element, path: str, day: _LazyDate, props: DeviceProperties) -> datetime:
    """UTC start of a record: ``UnixStartTime`` (``0`` = clock unset = absent), else local date and time."""
    start_text = (_attr(element, "StartTime") or "").strip()
    clock = _parse_clock(start_text, f"{path}/@StartTime") if start_text else None
    unix_text = (_attr(element, "UnixStartTime") or "").strip()
    if unix_text and unix_text.strip("0") == "" and _UINT.fullmatch(unix_text):
        unix_text = ""  # "0": written by devices with an unset clock and by generators
    if unix_text:
        # A true UTC epoch (seed: 2022-11-07 15:27:00 at UTC+8 -> 1667806020 = 07:27 UTC).
        return _epoch(unix_text, f"{path}/@UnixStartTime")
    if clock is None:
        raise XMLRejected("StartTime or UnixStartTime is required.", f"{path}/@StartTime")
    local = datetime.combine(day.get(), clock)
    if props.timezone_hours is not None:
        dst = props.dst if props.dst == 1 else 0  # -1: unknown, counted as none
        period_start = local.replace(tzinfo=UTC) - timedelta(hours=props.timezone_hours + dst)
    else:
        zone = _timezone(props.timezone_name)
        if zone is None:
            raise XMLRejected("Required to place a Count without UnixStartTime in time.", "Properties/Timezone")
        period_start = local.replace(tzinfo=zone).astimezone(UTC)
    if not EARLIEST <= period_start < LATEST:
        raise XMLRejected("Impossible date: must fall between 2000 and 2100.", f"{path}/@StartTime")
    return period_start


def _status(element, path: str) -> int:
    status_text = (_attr(element, "Status") or "0").strip() or "0"
    if not _INT.fullmatch(status_text) or not -(2**31) <= int(status_text) < 2**31:
        raise XMLRejected("Must be a whole number.", f"{path}/@Status")
    return int(status_text)


def _parse_count(element, path: str, day: _LazyDate, object_type: int, interval: int, props: DeviceProperties):
    period_start = _period_start(element, path, day, props)
    return CountRecord(
        object_type=object_type,
        period_start=period_start,
        interval=interval,
        enters=_count_value(element, "Enters", path, required=True),
        exits=_count_value(element, "Exits", path, required=True),
        passings=_count_value(element, "Passings", path, required=False),
        returns=_count_value(element, "Returns", path, required=False),
        status=_status(element, path),
    )


def _parse_demographic(element, tag: str, path: str, day: _LazyDate, interval: int, props: DeviceProperties):
    kind, names = DEMOGRAPHIC_FIELDS[tag]
    return DemographicRecord(
        kind=kind,
        period_start=_period_start(element, path, day, props),
        interval=interval,
        values=tuple((name, _count_value(element, name, path, required=False)) for name in names),
        status=_status(element, path),
    )
