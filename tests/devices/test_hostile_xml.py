"""Hostile camera documents through the ingest view: never a 500, every refusal kept with its reason.

Written as an attacker or a broken firmware would send them: epoch overflow, impossible dates
and times, digits of other scripts, deep nesting, invalid bytes and encodings, and documents
mutated at random from the seed samples (hypothesis).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.models import MinuteCount, Outcome, ReceivedDocument
from devices.xml import XMLRejected, parse_document
from tests.devices.conftest import count_xml, document, object_xml, report_xml, sample
from tests.devices.test_xml_family import VARIANTS

C = "ReportData/Report[1]/Object[1]/Count[1]"
IMPOSSIBLE = "Impossible date: must fall between 2000 and 2100."


def with_count(**kwargs) -> bytes:
    return document(reports=[report_xml(objects=[object_xml(counts=[count_xml(**kwargs)])])])


def assert_refused_and_kept(response, field: str, reason: str) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {field: [reason]}
    kept = ReceivedDocument.objects.get()
    assert (kept.outcome, kept.error) == (Outcome.REJECTED, f"{field}: {reason}")
    assert not MinuteCount.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (document(transmit="999999999999"), "Properties/TransmitTime", IMPOSSIBLE),  # year 33658
        (document(transmit="0"), "Properties/TransmitTime", IMPOSSIBLE),
        (document(transmit="4102444800"), "Properties/TransmitTime", IMPOSSIBLE),  # 2100-01-01 exactly
        (document(transmit="9999999999999"), "Properties/TransmitTime", "Must be a Unix time in whole seconds."),
        (with_count(unix="999999999999"), f"{C}/@UnixStartTime", IMPOSSIBLE),
        (with_count(unix="946684799"), f"{C}/@UnixStartTime", IMPOSSIBLE),  # 1999-12-31 23:59:59
        (with_count(unix="1e12"), f"{C}/@UnixStartTime", "Must be a Unix time in whole seconds."),
        (with_count(start="24:00:00", unix=None), f"{C}/@StartTime", "Impossible time of day."),
        (with_count(start="23:60:00", unix=None), f"{C}/@StartTime", "Impossible time of day."),
        (with_count(start="23:59:61", unix=None), f"{C}/@StartTime", "Impossible time of day."),
        (
            document(reports=[report_xml("2023-02-29", [object_xml(counts=[count_xml(unix=None)])])]),
            "ReportData/Report[1]/@Date",
            "Impossible date.",
        ),
        (
            document(reports=[report_xml("9999-12-31", [object_xml(counts=[count_xml(unix=None)])])]),
            "ReportData/Report[1]/@Date",
            IMPOSSIBLE,
        ),
        (
            document(reports=[report_xml("0001-01-01", [object_xml(counts=[count_xml(unix=None)])])]),
            "ReportData/Report[1]/@Date",
            IMPOSSIBLE,
        ),
    ],
)
def test_impossible_times_answer_400_with_the_path_and_are_kept(post_xml, store_a, body, field, reason):
    assert_refused_and_kept(post_xml(store_a, body), field, reason)


NOT_A_COUNT = "Must be a non-negative whole number."


@pytest.mark.parametrize(
    "digits",
    ["٣", "３", "৩", "߃", "1٣", "𝟑"],  # Arabic-Indic, fullwidth, Bengali, NKo, mixed, mathematical
)
def test_counts_take_ascii_digits_only(post_xml, store_a, digits):
    assert_refused_and_kept(post_xml(store_a, with_count(enters=digits)), f"{C}/@Enters", NOT_A_COUNT)
    assert int(digits) >= 0  # what the old parser stored: Python's int() takes them all


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"transmit": "١٦٦٧٨٠٦٩٢٠"}, "Properties/TransmitTime"),
        ({"timezone": "٨"}, "Properties/Timezone"),
        ({"interval": "١"}, "ReportData/@Interval"),
        (
            {"reports": [report_xml("٢٠٢٢-11-07", [object_xml(counts=[count_xml(unix=None)])])]},
            "ReportData/Report[1]/@Date",
        ),
        (
            {"reports": [report_xml(objects=[object_xml(counts=[count_xml(start="١٥:27:00", unix=None)])])]},
            f"{C}/@StartTime",
        ),
        ({"reports": [report_xml(objects=[object_xml(counts=[count_xml(unix="١٦٦٧٨٠٦٠٢٠")])])]}, f"{C}/@UnixStartTime"),
        ({"reports": [report_xml(objects=[object_xml(counts=[count_xml(status="٤")])])]}, f"{C}/@Status"),
        ({"reports": [report_xml(objects=[object_xml(counts=[count_xml(passings="٣")])])]}, f"{C}/@Passings"),
    ],
)
def test_no_number_of_the_document_takes_other_scripts_digits(kwargs, field):
    with pytest.raises(XMLRejected) as info:
        parse_document(document(**kwargs))
    assert info.value.field == field


@pytest.mark.parametrize("levels", [9, 40, 300, 20_000])
def test_nesting_refusal_says_too_deep_and_the_limit(post_xml, store_a, levels):
    body = b'<Metrics DeviceId="deep">' + b"<a>" * levels + b"</a>" * levels + b"</Metrics>"
    response = post_xml(store_a, body)
    assert_refused_and_kept(response, "body", "The document nests too deep: at most 8 levels of elements.")
    assert ReceivedDocument.objects.get().device_key == "deep"


def test_nul_and_control_bytes_in_a_sniffed_device_id_are_dropped(post_xml, store_a):
    response = post_xml(store_a, b'<Metrics DeviceId="a\x00b\x01c"><broken')
    assert response.status_code == 400
    assert ReceivedDocument.objects.get().device_key == "abc"


# --- fuzzing: documents mutated from the seed samples --------------------------------------------

# The seed's samples and every firmware of the family (tests/devices/test_xml_family.py).
SAMPLES = [sample("metrics"), sample("rtmetrics"), sample("diags"), *(body for body, *_ in VARIANTS.values())]
_ATTRIBUTE_VALUE = re.compile(rb'="([^"]*)"')
_TEXT = re.compile(rb">([^<]+)<")

values = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        [
            "999999999999",
            "0",
            "-1",
            "٣",
            "３",
            "1e400",
            "NaN",
            "",
            " ",
            "00:00:60",
            "24:00:00",
            "2022-02-29",
            "9999-12-31",
            "0001-01-01",
            "&#1;",
            "&#xD800;",
            "&#0;",
            "&x;",
            "<",
            "]]>",
            "\x01",
            "\x00",
            "1667806020",
            "15:27:00",
        ]
    ),
    st.text(max_size=12),
)
raw_bytes = st.one_of(
    st.binary(max_size=8),
    st.text(max_size=6).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"<!DOCTYPE x>", b"<![CDATA[", b"&#xFFFE;"]),
)
mutation = st.one_of(
    st.tuples(st.just("attribute"), st.integers(0, 200), values),
    st.tuples(st.just("text"), st.integers(0, 200), values),
    st.tuples(st.just("insert"), st.integers(0, 5000), raw_bytes),
    st.tuples(st.just("cut"), st.integers(0, 5000), st.integers(1, 200)),
    st.tuples(st.just("nest"), st.integers(1, 400), st.just(b"")),
    st.tuples(
        st.just("encoding"),
        st.integers(0, 1),
        st.sampled_from(["utf-16", "utf-32", "latin-1", "bogus", "ebcdic", "ascii", "shift_jis"]),
    ),
)


def mutate(body: bytes, steps: list[tuple]) -> bytes:
    for kind, where, what in steps:
        if kind in ("attribute", "text"):
            found = list((_ATTRIBUTE_VALUE if kind == "attribute" else _TEXT).finditer(body))
            if found:
                span = found[where % len(found)].span(1)
                body = body[: span[0]] + what.encode("utf-8", "surrogatepass") + body[span[1] :]
        elif kind == "insert":
            where %= len(body) + 1
            body = body[:where] + what + body[where:]
        elif kind == "cut":
            where %= len(body) + 1
            body = body[:where] + body[where + what :]
        elif kind == "nest":
            body = body.replace(b"<Report ", b"<x>" * where + b"<Report ", 1).replace(
                b"</ReportData>", b"</x>" * where + b"</ReportData>", 1
            )
        elif kind == "encoding":
            declared = body.replace(b'encoding="utf-8"', f'encoding="{what}"'.encode())
            if where:  # also transcode the bytes, as a firmware configured for it would
                try:
                    declared = declared.decode("utf-8").encode(what)
                except (UnicodeError, LookupError):
                    pass
            body = declared
    return body


documents = st.builds(mutate, st.sampled_from(SAMPLES), st.lists(mutation, min_size=1, max_size=4))


@settings(max_examples=150, deadline=None)
@given(documents)
def test_parser_raises_nothing_but_a_refusal(body):
    try:
        parse_document(body)
    except XMLRejected as exc:
        assert exc.reason and exc.field
        assert len(f"{exc.field}: {exc.reason}") <= 500


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=documents)
def test_ingest_view_never_answers_500_and_keeps_every_refusal(post_xml, store_a, body):
    cache.clear()  # the ingest-key throttle would answer 429 after a few hundred posts
    before = ReceivedDocument.objects.count()
    response = post_xml(store_a, body)
    assert response.status_code in (200, 400), response.content
    kept = ReceivedDocument.objects.order_by("-pk").first()
    assert ReceivedDocument.objects.count() == before + 1
    if response.status_code == 400:
        (field, reasons), *rest = response.json()["errors"].items()
        assert not rest and reasons[0]
        assert (kept.outcome, kept.error) == (Outcome.REJECTED, f"{field}: {reasons[0]}"[:500])
    else:
        assert (kept.outcome, kept.error) == (Outcome.ACCEPTED, "")
