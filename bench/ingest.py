"""Ingest under load: the bare view, the camera XML push, the sender JSON feed (Basic and token).

Each request writes a different row (devices and minutes, hours and cameras rotate), as 1,500
cameras and 500 stores would, so the numbers include real inserts, not one hot row's lock.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from bench.http import Scenario, load, render_body, request
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


def create_fixtures() -> dict[str, Any]:
    """A brand, one store, a sender with a password and a token (idempotent)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from stores.models import Membership, Role, Store, Tenant

    tenant, _ = Tenant.objects.get_or_create(name="Bench ingest brand")
    store, _ = Store.objects.get_or_create(
        tenant=tenant, code="bench-ingest", defaults={"name": "Bench ingest store", "timezone": "Europe/Istanbul"}
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-sender")
    user.set_password(PASSWORD)  # Django's default PBKDF2: what every Basic request would pay uncached
    user.save()
    membership, _ = Membership.objects.get_or_create(user=user, defaults={"tenant": tenant, "role": Role.SENDER})
    membership.stores.set([store])
    token, _ = Token.objects.get_or_create(user=user)
    return {"store_id": store.pk, "ingest_key": store.ingest_key, "username": user.username, "token": token.key}


def scenarios(fixtures: dict[str, Any], devices: int = 300) -> dict[str, Scenario]:
    basic = base64.b64encode(f"{fixtures['username']}:{PASSWORD}".encode()).decode()
    json_headers = {**PROXY, "Content-Type": "application/json"}
    return {
        "bare": Scenario("bare", "/bench/bare", headers=dict(PROXY)),
        "xml_push": Scenario(
            "xml_push",
            f"/api/devices/xml/{fixtures['ingest_key']}/",
            method="POST",
            headers={**PROXY, "Content-Type": "text/xml"},
            body_template=metrics_template(),
            devices=devices,
        ),
        "customers_basic": Scenario(
            "customers_basic",
            "/api/analytics/customers",
            method="POST",
            headers={**json_headers, "Authorization": f"Basic {basic}"},
            body_template=CUSTOMERS_TEMPLATE,
            devices=devices,
            epoch=1_600_000_000,
        ),
        "customers_token": Scenario(
            "customers_token",
            "/api/analytics/customers",
            method="POST",
            headers={**json_headers, "Authorization": f"Token {fixtures['token']}"},
            body_template=CUSTOMERS_TEMPLATE,
            devices=devices,
            epoch=1_400_000_000,  # a disjoint range of hours from the Basic runs
        ),
    }


def preflight(base_url: str, items: dict[str, Scenario]) -> dict[str, int]:
    """One request of each scenario must succeed before any load: a 401 at 20 K rps is not a result."""
    statuses = {}
    for name, scenario in items.items():
        status, body = request(scenario.method, base_url + scenario.path, scenario.headers, render_body(scenario, 0))
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
