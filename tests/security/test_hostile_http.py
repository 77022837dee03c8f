"""Hostile HTTP input, as an attacker holding a sender account (or none) would send it.

Every JSON endpoint gets bodies with a hostile value planted at every position of a valid
request — as a field's value, as a key, as the whole body, as a batch element: nesting past
any parser's stack, lone surrogates, NUL, integers of hundreds of digits, ``1e400``, wrong
types, megabyte strings, dates outside what ``datetime`` can shift, non-ASCII digits. Every
read endpoint and dashboard page gets the same kind of query parameters. The answer is never a
5xx; a refusal is a 400 in the API's error shape, and it changed nothing in the database.

Run on PostgreSQL too: NUL and surrogates only fail there.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stores.models import Role
from tests.factories import PASSWORD, make_member
from tests.pantilt.factories import RigCameraFactory, RigFactory

DEVICE = "hostile_rig"
CAMERAS = ("cameradevice_rgb_1", "cameradevice_swir_1")
NOW_HOUR = datetime.now(UTC).strftime("%Y-%m-%dT%H:00")


def process_request_body() -> dict:
    return {
        "requests": [
            {
                "target_id": "camera_device",
                "device_id": DEVICE,
                "command_id": "start_recording_command",
                "args": {"duration_second": 1.5, "camera_ids": list(CAMERAS)},
            },
            {
                "target_id": "entity",
                "device_id": DEVICE,
                "command_id": "set_pan_position_degree",
                "args": {"pan_position_deg_x100": 4500},
            },
        ]
    }


# A valid body of every JSON endpoint: hostile values are planted into these.
VALID_BODIES: dict[str, object] = {
    "/api/analytics/customers": {"entered": 3, "exited": 1, "male_count": 2, "camera_id": "c1", "timestamp": NOW_HOUR},
    "/api/analytics/heatmaps": {"zone": "Giriş", "visitor_count": 4, "intensity": 2.5, "timestamp": NOW_HOUR},
    "/api/analytics/queues": {"cashier_id": "K1", "total_customers": 2, "wait_time": 30.0, "timestamp": NOW_HOUR},
    "/api/analytics/sales": {"transactions": 3, "revenue": "120.50", "items": 5, "till": "T1", "timestamp": NOW_HOUR},
    "/api/settings/setup": {"site_name": "AVM", "cameras": [{"name": "c1", "type": "heatmap", "rtsp": "rtsp://h/x"}]},
    "/api/health/heartbeat": {"uptime": 5, "cameras": {"c1": "ok"}, "version": "1.2"},
    "/api/auth/token": {"username": "hostile-sender", "password": PASSWORD},
    "/api/pantilt/process-request": process_request_body(),
    "/api/pantilt/process-requests": process_request_body(),
    "/process-request": process_request_body(),
    "/process-requests": process_request_body(),
}
JSON_ENDPOINTS = sorted(VALID_BODIES)
READ_KINDS = ("customers", "heatmaps", "queues", "sales", "footfall", "demographics", "health")

VALUE_MARK = "\x1fV\x1f"
KEY_MARK = "\x1fK\x1f"


def positions(value, path=()) -> list[tuple]:
    """Every value and key position of a body, as paths (a key position ends in ``KEY_MARK``)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key, KEY_MARK))
            found.extend(positions(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(positions(item, (*path, index)))
    return found


def plant(body, path: tuple, fragment: str) -> str:
    """``body`` as JSON text with the raw JSON ``fragment`` at ``path`` (a key when the path says so)."""
    if path and path[-1] == KEY_MARK:
        *parents, key, _ = path
        mark = KEY_MARK
    else:
        parents, key, mark = list(path[:-1]), (path[-1] if path else None), VALUE_MARK
    copy = json.loads(json.dumps(body))
    if key is None:
        return fragment
    holder = copy
    for step in parents:
        holder = holder[step]
    if mark == KEY_MARK:
        holder[KEY_MARK] = holder.pop(key)
    else:
        holder[key] = VALUE_MARK
    return json.dumps(copy).replace(json.dumps(mark), fragment)


def deep(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "array" else ('{"a":' * depth + "1" + "}" * depth)


# Values the parser must refuse wherever they stand: always a 400, never stored.
deep_nesting = st.builds(deep, st.integers(min_value=33, max_value=20_000), st.sampled_from(["array", "object"]))
lone_surrogates = st.builds(
    lambda code, before, after: json.dumps(before)[:-1] + f"\\u{code:04x}" + json.dumps(after)[1:],
    st.integers(min_value=0xD800, max_value=0xDFFF),
    st.text(max_size=5),
    st.text(max_size=5),
)
nul_strings = st.builds(
    lambda before, after: json.dumps(before + "\x00" + after), st.text(max_size=8), st.text(max_size=8)
)
huge_ints = st.one_of(
    st.integers(min_value=2**63, max_value=10**400).map(str),
    st.integers(min_value=-(10**400), max_value=-(2**63) - 1).map(str),
    st.integers(min_value=20, max_value=4_000).map(lambda digits: "9" * digits),
)
overflowing_floats = st.one_of(
    st.sampled_from(["1e400", "-1e400", "1e309", "-1.7976931348623159e308", "NaN", "Infinity", "-Infinity"]),
    st.integers(min_value=309, max_value=100_000).map(lambda exponent: f"1.5e{exponent}"),
)
refused_values = st.one_of(deep_nesting, lone_surrogates, nul_strings, huge_ints, overflowing_floats)
refused_keys = st.one_of(lone_surrogates, nul_strings)


def iso_forms(year: int, hour: int, offset_minutes: int) -> list[str]:
    sign = "+" if offset_minutes >= 0 else "-"
    offset = f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    day = "01-01" if year < 5000 else "12-31"
    return [
        f"{year:04d}-{day}T{hour:02d}:00{offset}",
        f"{year:04d}-{day}T{hour:02d}:00:00.999999{offset}",
        f"{year:04d}-{day} {hour:02d}:00{offset}",
        f"{year:04d}{day.replace('-', '')}T{hour:02d}00{offset.replace(':', '')}",
        f"{year:04d}-W01-1T{hour:02d}:00{offset}",
        f"{year:04d}-{day}T{hour:02d}:00Z",
        f"{year:04d}-{day}T{hour:02d}",
    ]


out_of_range_dates = st.builds(
    lambda year, hour, offset, pick: iso_forms(year, hour, offset)[pick],
    st.sampled_from([1, 2, 1999, 2101, 9998, 9999]),
    st.sampled_from([0, 1, 22, 23]),
    st.sampled_from([-23 * 60 - 59, -60, -1, 0, 1, 60, 23 * 60 + 59]),
    st.integers(min_value=0, max_value=6),
).map(json.dumps)
non_ascii_digits = st.sampled_from(["٣", "３", "٢٠٢٦-٠٢-١٦T١٤:00", "２０２６-02-16T14:00", "१२", "1_000", "٣.٥"]).map(
    json.dumps
)
wrong_types = st.sampled_from(
    ["true", "false", "null", "[]", "{}", '""', '"x"', "0", "-1", "1.5", "[1, 2]", '{"a": 1}']
)
huge_strings = st.builds(
    lambda char, size: json.dumps(char * size),
    st.sampled_from(["x", "ş", "語", "😀", "\u202e"]),
    st.integers(min_value=200, max_value=200_000),
)
edge_numbers = st.sampled_from([str(2**31), str(2**31 - 1), str(2**63 - 1), str(-(2**63)), "1e-400", "-0.0", "1e308"])
allowed_nesting = st.builds(deep, st.integers(min_value=1, max_value=20), st.sampled_from(["array", "object"]))
dubious_values = st.one_of(
    out_of_range_dates,
    non_ascii_digits,
    wrong_types,
    huge_strings,
    edge_numbers,
    allowed_nesting,
    st.text(max_size=30).map(json.dumps),
)
dubious_keys = st.one_of(huge_strings, st.text(max_size=30).map(json.dumps))


# Every table a JSON endpoint writes to (and the ones next to them).
WRITTEN_MODELS = (
    "stores.Store",
    "stores.Camera",
    "stores.Zone",
    "stores.Cashier",
    "stores.StoreHeartbeat",
    "analytics.HourlyCustomers",
    "analytics.HourlyZoneHeatmap",
    "analytics.HourlyQueue",
    "analytics.StoreDay",
    "sales.HourlySales",
    "pantilt.Rig",
    "pantilt.CaptureSession",
    "pantilt.CommandLog",
    "authtoken.Token",
)


def database_fingerprint() -> str:
    """A digest of every row those endpoints write: equal digests mean nothing was written."""
    digest = hashlib.sha256()
    for label in WRITTEN_MODELS:
        rows = apps.get_model(label).objects.order_by("pk").values_list()
        digest.update(f"{label}:{list(rows)!r}".encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


@pytest.fixture
def hostile_sender(store_a):
    return make_member(store_a.tenant, Role.SENDER, [store_a], username="hostile-sender").user


@pytest.fixture
def hostile_rig(tenant_a):
    rig = RigFactory(tenant=tenant_a, device_id=DEVICE)
    for camera_id in CAMERAS:
        RigCameraFactory(rig=rig, camera_id=camera_id, kind="swir" if "swir" in camera_id else "rgb")
    return rig


@pytest.fixture
def poster(api, hostile_sender, hostile_rig):
    """``poster(endpoint, text)`` → (response, whether the database changed)."""
    client = api(hostile_sender)

    def post(endpoint: str, text: str):
        before = database_fingerprint()
        response = client.post(endpoint, text.encode("utf-8", "surrogatepass"), content_type="application/json")
        return response, database_fingerprint() != before

    return post


def assert_clean_refusal(response, changed: bool, context) -> None:
    assert response.status_code == 400, (context, response.status_code, response.content[:300])
    assert set(response.json()) == {"errors"}, context
    errors = response.json()["errors"]
    assert errors and all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in errors.values())
    assert not changed, (context, "a refused request wrote to the database")


def assert_never_5xx(response, changed: bool, context) -> None:
    assert response.status_code < 500, (context, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert "errors" in response.json(), context
        assert not changed, (context, "a refused request wrote to the database")


ENDPOINT_POSITIONS = [(endpoint, path) for endpoint in JSON_ENDPOINTS for path in positions(VALID_BODIES[endpoint])]
VALUE_POSITIONS = [(endpoint, path) for endpoint, path in ENDPOINT_POSITIONS if not path or path[-1] != KEY_MARK]
KEY_POSITIONS = [(endpoint, path) for endpoint, path in ENDPOINT_POSITIONS if path and path[-1] == KEY_MARK]
HYPOTHESIS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@pytest.mark.django_db
def test_valid_bodies_are_accepted(poster):
    """The bodies the hostile values are planted into are themselves accepted (else nothing is proved)."""
    for endpoint in JSON_ENDPOINTS:
        response, _ = poster(endpoint, json.dumps(VALID_BODIES[endpoint]))
        assert response.status_code in (200, 201, 202), (endpoint, response.content[:300])


@pytest.mark.django_db
@settings(HYPOTHESIS, max_examples=90)
@given(where=st.sampled_from(VALUE_POSITIONS), fragment=refused_values, batch=st.booleans())
def test_unstorable_values_are_refused_everywhere(poster, where, fragment, batch):
    endpoint, path = where
    text = plant(VALID_BODIES[endpoint], path, fragment)
    if batch and endpoint.startswith("/api/analytics/"):
        text = f"[{json.dumps(VALID_BODIES[endpoint])}, {text}]"  # the good record must not be kept either
    response, changed = poster(endpoint, text)
    assert_clean_refusal(response, changed, (endpoint, path, fragment[:80]))


@pytest.mark.django_db
@settings(HYPOTHESIS, max_examples=30)
@given(where=st.sampled_from(KEY_POSITIONS), fragment=refused_keys)
def test_unstorable_keys_are_refused_everywhere(poster, where, fragment):
    endpoint, path = where
    response, changed = poster(endpoint, plant(VALID_BODIES[endpoint], path, fragment))
    assert_clean_refusal(response, changed, (endpoint, path, fragment[:80]))


@pytest.mark.django_db
@settings(HYPOTHESIS, max_examples=80)
@given(
    where=st.sampled_from(ENDPOINT_POSITIONS),
    fragment=dubious_values,
    key=dubious_keys,
)
def test_odd_values_and_keys_never_cause_a_5xx(poster, where, fragment, key):
    endpoint, path = where
    planted = key if path and path[-1] == KEY_MARK else fragment
    response, changed = poster(endpoint, plant(VALID_BODIES[endpoint], path, planted))
    assert_never_5xx(response, changed, (endpoint, path, planted[:80]))


HEATMAP_AT = '{"zone": "z", "visitor_count": 1, "intensity": 1, "timestamp": "%s"}'
QUEUE_AT = '{"cashier_id": "k", "total_customers": 1, "wait_time": 1, "timestamp": "%s"}'
# The reported 500s, each pinned with the field the answer must name.
REPORTED = [
    ("/api/analytics/customers", '{"entered": 1, "timestamp": "0001-01-01T00:00+01:00"}', "timestamp"),
    ("/api/analytics/customers", '{"entered": 1, "timestamp": "9999-12-31T23:00-01:00"}', "timestamp"),
    ("/api/analytics/heatmaps", HEATMAP_AT % "0001-01-01T00:00+01:00", "timestamp"),
    ("/api/analytics/queues", QUEUE_AT % "9999-12-31T23:00-01:00", "timestamp"),
    ("/api/analytics/customers", deep(10_000, "array"), "body"),
    ("/api/health/heartbeat", deep(10_000, "array"), "body"),
    ("/api/pantilt/process-request", deep(10_000, "array"), "body"),
    ("/api/auth/token", deep(10_000, "array"), "body"),
    ("/api/auth/token", deep(10_000, "object"), "body"),
    ("/api/health/heartbeat", '{"note": "\\ud800"}', "note"),
    ("/api/auth/token", '{"username": "\\ud800", "password": "x"}', "username"),
    ("/api/auth/token", '{"username": "a\\u0000b", "password": "x"}', "username"),
    ("/api/pantilt/process-request", '{"requests": "\\udfff"}', "requests"),
    ("/api/analytics/customers", '{"entered": 1, "camera_id": "a\\u0000b"}', "camera_id"),
    ("/api/analytics/customers", '{"entered": "٣"}', "entered"),
    ("/api/analytics/customers", '{"entered": "３"}', "entered"),
    ("/api/analytics/queues", '{"cashier_id": "k", "total_customers": 1, "wait_time": "٣.٥"}', "wait_time"),
    ("/api/analytics/queues", '{"cashier_id": "k", "total_customers": 1, "wait_time": 1e400}', "wait_time"),
    ("/api/analytics/heatmaps", '{"zone": "z", "visitor_count": 1e400, "intensity": 1}', "visitor_count"),
    ("/api/analytics/heatmaps", '{"zone": "z", "visitor_count": 1, "intensity": 1, "x": 1}', "x"),
    ("/api/settings/setup", '{"site_name": "a\\u0000", "cameras": []}', "site_name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "text", "field"), REPORTED, ids=[f"{e}-{f}" for e, _, f in REPORTED])
def test_reported_500s_are_400s_naming_the_field(poster, endpoint, text, field):
    response, changed = poster(endpoint, text)
    assert_clean_refusal(response, changed, (endpoint, text[:80]))
    assert field in response.json()["errors"], response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "field"),
    [
        ('{"duration_second": 1e400, "camera_ids": ["cameradevice_rgb_1"]}', "requests.0.args.duration_second"),
        ('{"duration_second": -1e400, "camera_ids": ["cameradevice_rgb_1"]}', "requests.0.args.duration_second"),
        (
            '{"duration_second": 1' + "0" * 400 + ', "camera_ids": ["cameradevice_rgb_1"]}',
            "requests.0.args.duration_second",
        ),
        ('{"duration_second": 1, "camera_ids": ["a\\u0000b"]}', "requests.0.args.camera_ids.0"),
        ('{"duration_second": 1, "camera_ids": ["cameradevice_rgb_1"], "k\\u0000": 1}', "requests.0.args"),
        ('{"duration_second": 1, "camera_ids": ["\\ud800"]}', "requests.0.args.camera_ids.0"),
    ],
)
def test_process_request_numbers_and_text_are_checked(poster, args, field):
    body = f'{{"requests": [{{"target_id": "camera_device", "device_id": "{DEVICE}", '
    body += f'"command_id": "start_recording_command", "args": {args}}}]}}'
    response, changed = poster("/api/pantilt/process-request", body)
    assert_clean_refusal(response, changed, args)
    assert field in response.json()["errors"], response.json()


# ---------------------------------------------------------------- query parameters of every read


hostile_dates = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1999-12-31",
            "2100-01-01",
            "0000-00-00",
            "10000-01-01",
            "2026-02-30",
            "٢٠٢٦-٠٢-١٦",
            "２０２６-02-16",
            "2026-1-1",
            "-2026-01-01",
            "2026-02-16T00:00",
            "a\x00b",
            "",
        ]
    ),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(1, 99999), st.integers(0, 13), st.integers(0, 32)),
    st.text(max_size=20),
)
hostile_params = st.fixed_dictionaries(
    {},
    optional={
        "from": hostile_dates,
        "to": hostile_dates,
        "granularity": st.one_of(st.sampled_from(["hour", "day", "week", "HOUR", "\x00"]), st.text(max_size=10)),
        "device": st.one_of(st.sampled_from(["a\x00b", "x" * 5000, "%00"]), st.text(max_size=20)),
        "object_type": st.one_of(st.sampled_from(["0", "1", "2", "٣", "1e400", "-1", "\x00"]), st.text(max_size=5)),
        "\x00": st.just("1"),
    },
)


@pytest.mark.django_db
@settings(HYPOTHESIS, max_examples=60)
@given(kind=st.sampled_from(READ_KINDS), params=hostile_params)
def test_read_api_query_params_never_cause_a_5xx(api, viewer_a, store_a, kind, params):
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/{kind}?{urlencode(params)}")
    assert response.status_code in (200, 400), (kind, params, response.status_code, response.content[:300])
    if response.status_code == 400:
        assert set(response.json()) == {"errors"}
    if any("\x00" in key or "\x00" in value for key, value in params.items()):
        assert response.status_code == 400, (kind, params)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["customers", "heatmaps", "queues", "footfall"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=9999-12-31", "from"),
        ("from=0001-01-01", "from"),
        ("to=9999-12-31", "to"),
        ("to=0001-01-01", "to"),
        ("from=0001-01-01&to=0001-01-01", "from"),
        ("from=9999-12-31&to=9999-12-31", "from"),
        ("from=%D9%A2%D9%A0%D9%A2%D9%A6-%D9%A0%D9%A2-%D9%A1%D9%A6", "from"),
        ("device=a%00b", "device"),
    ],
)
def test_read_api_range_errors_name_the_field(api, viewer_a, store_a, kind, query, field):
    response = api(viewer_a).get(f"/api/stores/{store_a.pk}/{kind}?{query}")
    assert response.status_code == 400, (query, response.content[:300])
    assert field in response.json()["errors"], response.json()


@pytest.mark.django_db
@settings(HYPOTHESIS, max_examples=30)
@given(
    page=st.sampled_from(["", "panels/", "export/footfall.csv", "export/queues.csv", "brand", "brand-csv"]),
    params=hostile_params,
)
def test_dashboard_query_params_never_cause_a_5xx(client, brand_admin_a, store_a, page, params):
    client.force_login(brand_admin_a)
    path = {"brand": "/dashboard/brand/", "brand-csv": "/dashboard/brand/export.csv"}.get(
        page, f"/dashboard/stores/{store_a.pk}/{page}"
    )
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code in (200, 400), (path, params, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["from=9999-12-31", "from=0001-01-01", "to=9999-12-31", "from=2000-01-01"])
def test_dashboard_shows_its_range_error_page(client, viewer_a, store_a, query):
    """``from=2000-01-01`` is allowed, but its comparison period would start in 1998: still no 500."""
    client.force_login(viewer_a)
    response = client.get(f"/dashboard/stores/{store_a.pk}/?{query}")
    if query == "from=2000-01-01":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "dashboard/range_error.html" in [t.name for t in response.templates]
    assert "2000-01-01" in response.content.decode()


# ---------------------------------------------------------------- one parser for every endpoint


def test_every_api_view_parses_json_with_the_bounded_parser():
    """Closed by default: a view that brings its own parser list is caught here."""
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from stores.api.parsers import SafeJSONParser

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                yield getattr(pattern.callback, "cls", None)

    api_views = {view for view in views(get_resolver().url_patterns) if view and issubclass(view, APIView)}
    assert len(api_views) >= 10
    for view in api_views:
        assert all(issubclass(parser, SafeJSONParser) for parser in view.parser_classes), view
