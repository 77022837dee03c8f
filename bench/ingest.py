"""Ingest under load: the bare view, the camera XML push, the sender JSON feed (Basic and token).

Each request writes a different row (devices and minutes, hours and cameras rotate), as 1,500
cameras and 500 stores would, so the numbers include real inserts, not one hot row's lock.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from bench.http import Scenario, load, render_body, request, request_parts
from bench.stats import interleave, median, ratio

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "devices" / "samples"
PASSWORD = "bench-sender-pass-1"
PROXY = {"X-Forwarded-Proto": "https"}  # TLS ends at the proxy in production


def metrics_template() -> str:
    """The seed's ``Metrics`` (3 objects, one count each) with the device and minute as placeholders."""
    text = (SAMPLES / "metrics.xml").read_text()
    text = text.replace('DeviceId="12345"', 'DeviceId="bench-{{DEV}}"')
    text = text.replace("<TransmitTime>1667806920</TransmitTime>", "<TransmitTime>{{EPOCH}}</TransmitTime>")
    return text.replace('UnixStartTime="1667806020"', 'UnixStartTime="{{EPOCH}}"')


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


def scenarios(fixtures: dict[str, Any], devices: int = 300) -> dict[str, Scenario]:
    basics = ["Basic " + base64.b64encode(f"{name}:{PASSWORD}".encode()).decode() for name in fixtures["usernames"]]
    xml_paths = [f"/api/devices/xml/{key}/" for key in fixtures["ingest_keys"]]
    json_headers = {**PROXY, "Content-Type": "application/json"}
    return {
        "bare": Scenario("bare", "/bench/bare", headers=dict(PROXY)),
        "xml_push": Scenario(
            "xml_push",
            xml_paths[0],
            method="POST",
            headers={**PROXY, "Content-Type": "text/xml"},
            body_template=metrics_template(),
            devices=devices,
            paths=xml_paths,
        ),
        "customers_basic": Scenario(
            "customers_basic",
            "/api/analytics/customers",
            method="POST",
            headers=json_headers,
            body_template=CUSTOMERS_TEMPLATE,
            devices=devices,
            epoch=1_600_000_000,
            authorizations=basics,
        ),
        "customers_token": Scenario(
            "customers_token",
            "/api/analytics/customers",
            method="POST",
            headers=json_headers,
            body_template=CUSTOMERS_TEMPLATE,
            devices=devices,
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


def run(base_url: str, fixtures: dict[str, Any], rounds: int, duration: float, connections: int) -> dict[str, Any]:
    """Interleaved rounds of every scenario; medians and ratios to the bare view."""
    items = scenarios(fixtures)
    preflight(base_url, items)
    for scenario in items.values():  # warm every worker's imports, caches and connections
        load(base_url, scenario, min(2.0, duration), connections)
    raw = interleave(
        {name: (lambda s=s: load(base_url, s, duration, connections)) for name, s in items.items()}, rounds
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
    return {"connections": connections, "duration_s": duration, "rounds": rounds, "results": summary}
