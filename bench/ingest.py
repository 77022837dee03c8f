"""Ingest under load: the bare view, the camera XML push (``Metrics`` and a real-time ``RTMetrics``
stream of supersedes), the sender JSON feed (Basic and token); then the appliers.

Each request writes a different row (devices and minutes, hours and cameras rotate), as 1,000
cameras and 500 stores would, so the numbers include real inserts, not one hot row's lock. A
camera push only keeps its document; ``apply_phases`` times the appliers that apply them
(``bench.applier``) and the RTMetrics stream sustained with the appliers running.
"""

from __future__ import annotations

import base64
import math
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import applier
from bench.http import Scenario, load, render_body, request, request_parts
from bench.stats import interleave, median, ratio

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "devices" / "samples"
PASSWORD = "bench-sender-pass-1"
PROXY = {"X-Forwarded-Proto": "https"}  # TLS ends at the proxy in production


# A busy entrance in real-time mode pushes its current minute's running total ~17 times a minute.
RT_PUSHES_PER_MINUTE = 17
CAMERAS_PER_STORE = 2  # 500 stores with two cameras: the evening peak of ~300 pushes/s
SENDER_CAMERAS = 300  # camera_id values the sender JSON rotates through (one hour per request each)


def metrics_template() -> str:
    """The seed's ``Metrics`` (3 objects, one count each) with the device and minute as placeholders."""
    text = (SAMPLES / "metrics.xml").read_text()
    text = text.replace('DeviceId="12345"', 'DeviceId="bench-{{DEV}}"')
    text = text.replace("<TransmitTime>1667806920</TransmitTime>", "<TransmitTime>{{TRANSMIT}}</TransmitTime>")
    return text.replace('UnixStartTime="1667806020"', 'UnixStartTime="{{EPOCH}}"')


def rtmetrics_template() -> str:
    """The seed's ``RTMetrics`` (the current minute, 3 objects) as one push of a real-time stream.

    The minute is ``{{EPOCH}}``, the push time ``{{TRANSMIT}}`` (later with every push of the
    minute, so each push supersedes the one before) and the people and second object's enters
    are the running total ``{{TOTAL}}``.
    """
    text = (SAMPLES / "rtmetrics.xml").read_text()
    text = text.replace('DeviceId="12345"', 'DeviceId="bench-rt-{{DEV}}"')
    text = text.replace("<TransmitTime>1667807637</TransmitTime>", "<TransmitTime>{{TRANSMIT}}</TransmitTime>")
    text = text.replace('UnixStartTime="1667807580"', 'UnixStartTime="{{EPOCH}}"')
    return text.replace('Enters="1"', 'Enters="{{TOTAL}}"')


def recent_epoch(now: float | None = None, hours_back: int = 3) -> int:
    """A whole hour a few hours ago: camera minutes inside the retention and the current partitions.

    The applier leaves counts older than ``DEVICE_MINUTE_RETENTION_DAYS`` alone, so the pushes
    are of today, as a live camera's are; every run moves later (``advance``), never past now.
    """
    now = time.time() if now is None else now
    return int(now // 3600) * 3600 - hours_back * 3600


def advance(scenario: Scenario, requests: int) -> Scenario:
    """The same scenario continuing after a run of ``requests``: its next minute is one none used.

    A run's devices each sent at most ``requests / devices`` pushes (plus the ones wrk did not
    count at the end), ``repeat`` of them per minute; the next run starts a minute after that.
    """
    minutes = math.ceil((requests + scenario.devices) / scenario.devices / scenario.repeat) + 1
    return replace(scenario, epoch=scenario.epoch + 60 * minutes)


class Stream:
    """A camera scenario whose runs continue each other (later minutes), as a camera's pushes do."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def load(self, base_url: str, duration: float, connections: int, rate: float | None = None) -> dict[str, Any]:
        scenario = self.scenario if rate is None else replace(self.scenario, rate=rate)
        result = load(base_url, scenario, duration, connections)
        self.scenario = advance(self.scenario, result["requests"])
        return result


CUSTOMERS_TEMPLATE = (
    '{"entered": 10, "exited": 8, "customers_inside": 42, "male_count": 5, "female_count": 5, '
    '"age_18_30": 3, "age_30_50": 5, "age_50_plus": 2, "camera_id": "kapi-{{DEV}}", "timestamp": "{{HOUR}}"}'
)


def create_fixtures(stores: int = 100) -> dict[str, Any]:
    """A brand with ``stores`` stores, each with its own sender account (password and token).

    Load is spread over stores and accounts as a real brand's is, so the production throttle
    rates (per ingest key, per account) apply unchanged. Every account shares one password hash
    (one PBKDF2 at set-up instead of one per account), and its verified credential is put in the
    Basic-auth cache as its first request would (the steady state of stores that push hourly).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    from stores.api.authentication import _credential_cache_key
    from stores.models import Membership, Role, Store, Tenant

    User = get_user_model()
    tenant, _ = Tenant.objects.get_or_create(name="Bench ingest brand")
    codes = [f"bench-ingest-{i:03d}" for i in range(stores)]
    have = set(Store.objects.filter(code__in=codes).values_list("code", flat=True))
    Store.objects.bulk_create(
        [Store(tenant=tenant, code=c, name=c, timezone="Europe/Istanbul") for c in codes if c not in have]
    )
    store_rows = list(Store.objects.filter(code__in=codes).order_by("code"))
    hashed = make_password(PASSWORD)
    names = [f"bench-sender-{i:03d}" for i in range(stores)]
    User.objects.filter(username__in=names).delete()
    users = User.objects.bulk_create([User(username=name, password=hashed) for name in names])
    users = list(User.objects.filter(username__in=names).order_by("username"))
    memberships = Membership.objects.bulk_create([Membership(user=u, tenant=tenant, role=Role.SENDER) for u in users])
    for membership, store in zip(memberships, store_rows, strict=True):
        membership.stores.set([store])
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    seconds = settings_seconds()
    for user in users:
        cache.set(_credential_cache_key(user.username, PASSWORD), (user.pk, user.password), seconds)
    return {
        "stores": stores,
        "ingest_keys": [store.ingest_key for store in store_rows],
        "usernames": [u.username for u in users],
        "tokens": [t.key for t in tokens],
    }


def settings_seconds() -> int:
    from django.conf import settings

    return int(getattr(settings, "BASIC_AUTH_CACHE_SECONDS", 300))


def scenarios(fixtures: dict[str, Any], devices: int | None = None, epoch: int | None = None) -> dict[str, Scenario]:
    """Every scenario of the side-by-side run; cameras default to two per store."""
    basics = ["Basic " + base64.b64encode(f"{name}:{PASSWORD}".encode()).decode() for name in fixtures["usernames"]]
    xml_paths = [f"/api/devices/xml/{key}/" for key in fixtures["ingest_keys"]]
    json_headers = {**PROXY, "Content-Type": "application/json"}
    xml_headers = {**PROXY, "Content-Type": "text/xml"}
    cameras = devices or CAMERAS_PER_STORE * len(xml_paths)
    epoch = recent_epoch() if epoch is None else epoch
    return {
        "bare": Scenario("bare", "/bench/bare", headers=dict(PROXY)),
        "xml_push": Scenario(
            "xml_push",
            xml_paths[0],
            method="POST",
            headers=xml_headers,
            body_template=metrics_template(),
            devices=cameras,
            epoch=epoch,
            paths=xml_paths,
        ),
        "rtmetrics_push": Scenario(
            "rtmetrics_push",
            xml_paths[0],
            method="POST",
            headers=xml_headers,
            body_template=rtmetrics_template(),
            devices=cameras,
            epoch=epoch,
            repeat=RT_PUSHES_PER_MINUTE,
            paths=xml_paths,
        ),
        "customers_basic": Scenario(
            "customers_basic",
            "/api/analytics/customers",
            method="POST",
            headers=json_headers,
            body_template=CUSTOMERS_TEMPLATE,
            devices=SENDER_CAMERAS,
            epoch=1_600_000_000,
            authorizations=basics,
        ),
        "customers_token": Scenario(
            "customers_token",
            "/api/analytics/customers",
            method="POST",
            headers=json_headers,
            body_template=CUSTOMERS_TEMPLATE,
            devices=SENDER_CAMERAS,
            epoch=1_400_000_000,  # a disjoint range of hours from the Basic runs
            authorizations=[f"Token {key}" for key in fixtures["tokens"]],
        ),
    }


def preflight(base_url: str, items: dict[str, Scenario]) -> dict[str, int]:
    """One request of each scenario must succeed before any load: a 401 at 20 K rps is not a result."""
    statuses = {}
    for name, scenario in items.items():
        path, headers = request_parts(scenario, 0)
        status, body = request(scenario.method, base_url + path, headers, render_body(scenario, 0))
        if not 200 <= status <= 299:
            raise RuntimeError(f"preflight {name}: HTTP {status} {body[:300]!r}")
        statuses[name] = status
    return statuses


def run(
    base_url: str,
    fixtures: dict[str, Any],
    rounds: int,
    duration: float,
    connections: int,
    streams: dict[str, Stream] | None = None,
) -> dict[str, Any]:
    """Interleaved rounds of every scenario; medians and ratios to the bare view.

    Camera scenarios are streams: each round continues the last one's minutes (pass ``streams``
    to go on with them afterwards). No applier runs here: the pushes' documents wait, pending,
    for ``apply_phases``, so this measures the accept path.
    """
    streams = streams if streams is not None else {name: Stream(s) for name, s in scenarios(fixtures).items()}
    preflight(base_url, {name: s.scenario for name, s in streams.items()})
    for stream in streams.values():  # warm every worker's imports, caches and connections
        stream.load(base_url, min(2.0, duration), connections)
    raw = interleave(
        {name: (lambda s=s: s.load(base_url, duration, connections)) for name, s in streams.items()}, rounds
    )
    bare_rps = median([r["rps"] for r in raw["bare"]])
    summary: dict[str, Any] = {}
    for name, runs in raw.items():
        rps = median([r["rps"] for r in runs])
        summary[name] = {
            "rps_median": rps,
            "ratio_to_bare": ratio(rps, bare_rps),
            "p50_ms_median": round(median([r["p50_us"] for r in runs]) / 1000, 2),
            "p99_ms_median": round(median([r["p99_us"] for r in runs]) / 1000, 2),
            "p99_ms_max": round(max(r["p99_us"] for r in runs) / 1000, 2),
            "failed_total": sum(r["failed"] for r in runs),
            "requests_total": sum(r["requests"] for r in runs),
            "rounds": runs,
        }
    return {
        "connections": connections,
        "duration_s": duration,
        "rounds": rounds,
        "results": summary,
    }


def push_summary(result: dict[str, Any]) -> dict[str, Any]:
    """One load run in the units of the report (requests/s, ms, failures)."""
    return {
        "requests": result["requests"],
        "rps": result["rps"],
        "p50_ms": round(result["p50_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2),
        "failed": result["failed"],
    }


def apply_phases(
    base_url: str,
    env: dict[str, str],
    stream: Stream,
    connections: int,
    preload: float,
    headroom: float,
    sustained: float,
    rate: float,
    appliers: tuple[int, ...] = (1, 2),
    timeout: float = 300.0,
) -> dict[str, Any]:
    """The applier's side: drain throughput of 1 and 2 appliers, then the stream sustained with them.

    The side-by-side run's pending documents are discarded first (they measured the accept
    path; applying them would only make the backlog's make-up unknown). Throughput: for each
    count in ``appliers``, ``preload`` seconds of the stream are pushed with no applier running,
    then that many start and the backlog is timed until empty. The last count stays running for
    the sustained runs: the stream pushed for ``headroom`` seconds as fast as the server
    answers, then for ``sustained`` seconds paced at ``rate`` pushes/s; after each, the backlog
    drains and the apply lag of the run's documents is read from the database.
    """
    out: dict[str, Any] = {"discarded_pending": applier.discard_pending(), "throughput": {}, "sustained": {}}
    running: applier.Appliers | None = None
    try:
        for count in appliers:
            pushed = stream.load(base_url, preload, connections)
            running = applier.Appliers(env, count)
            running.start()
            out["throughput"][str(count)] = {
                "appliers": count,
                **applier.wait_drained(running, timeout),
                "preload": push_summary(pushed),
            }
            if count != appliers[-1]:
                running.stop()
        for label, seconds, pace in (("max", headroom, None), ("paced", sustained, rate)):
            since = datetime.now(UTC)
            pushed = stream.load(base_url, seconds, connections, rate=pace)
            until = datetime.now(UTC)
            drained = applier.wait_drained(running, timeout)
            out["sustained"][label] = {
                "appliers": appliers[-1],
                "target_rate": pace,
                "duration_s": seconds,
                "push": push_summary(pushed),
                **applier.lag(since, until),
                "drained_after_s": drained["seconds"],
            }
    finally:
        if running is not None:
            running.stop()
    return out


def section(
    base_url: str,
    env: dict[str, str],
    fixtures: dict[str, Any],
    rounds: int,
    duration: float,
    connections: int,
    preload: float,
    headroom: float,
    sustained: float,
    rate: float,
) -> dict[str, Any]:
    """The whole ingest section on one server: side by side, then the appliers, then storage.

    The machine's load average is kept beside the numbers: other processes on the two cores
    move the absolute rates (the 300/s goal is absolute), ratios much less.
    """
    from bench import storage

    load_before = os.getloadavg()
    streams = {name: Stream(s) for name, s in scenarios(fixtures).items()}
    result = run(base_url, fixtures, rounds, duration, connections, streams=streams)
    result["apply"] = apply_phases(
        base_url,
        env,
        streams["rtmetrics_push"],
        connections,
        preload=preload,
        headroom=headroom,
        sustained=sustained,
        rate=rate,
    )
    result["storage"] = storage.measure()
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    return result
