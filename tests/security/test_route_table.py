"""Proof by enumeration (issue 13, Deliver 7): every URL pattern and WebSocket route is in
``tests/security/routes.py`` with the roles allowed to read, write and delete, and each entry is
tried as every role of tenant B against tenant A's real objects, and as A's own roles.

B's answers must be refusals (401/403/404/405, or the login redirect), exactly what an object that
never existed gets (so nothing tells B that A's object is there), never contain A's names or keys,
and leave every row of A as it was. A's allowed roles must get their answer, so none of this
passes by refusing everyone.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.devices.conftest import sample
from tests.factories import PASSWORD
from tests.pantilt.conftest import seed_body
from tests.security import routes
from tests.security.routes import A_ROLES, B_ROLES, CONSOLE_PREFIXES, ROUTES, WS_ROUTES, Route
from tests.security.tenant_world import B_PASSWORD, World, build_world, snapshot

REFUSED = {401, 403, 404, 405}
METHODS = ("get", "post", "put", "patch", "delete")


# --- the table matches the resolver and the routing ---------------------------------------------


def walk(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every URL pattern as the include() prefixes joined with the pattern's own string."""
    found = []
    for entry in resolver.url_patterns:
        joined = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if any(joined.startswith(p) for p in CONSOLE_PREFIXES):
                found.append(joined)
                continue
            found += walk(entry, joined)
        else:
            assert isinstance(entry, URLPattern)
            found.append(joined)
    return found


def test_every_url_pattern_is_in_the_table():
    walked = walk(get_resolver())
    console = [p for p in walked if any(p.startswith(c) for c in CONSOLE_PREFIXES)]
    served = sorted(set(walked) - set(console))
    listed = sorted(route.pattern for route in ROUTES)
    assert len(listed) == len(set(listed)), "a pattern is listed twice"
    assert sorted(set(served) - set(listed)) == [], "patterns missing from tests/security/routes.py"
    assert sorted(set(listed) - set(served)) == [], "the table lists patterns that no longer exist"
    assert console, "the console is no longer mounted under CONSOLE_PREFIXES"


def project_routing_modules() -> list[str]:
    """Every ``<app>/routing.py`` of the project, so a new app's WebSocket routes cannot hide."""
    base = Path(settings.BASE_DIR)
    return sorted(f"{path.parent.name}.routing" for path in base.glob("*/routing.py"))


def test_every_websocket_route_is_in_the_table_and_served():
    from vislivis.routing import websocket_urlpatterns

    served = [str(p.pattern) for p in websocket_urlpatterns]
    listed = [route.pattern for route in WS_ROUTES]
    assert sorted(served) == sorted(listed)
    modules = project_routing_modules()
    assert {"analytics.routing", "pantilt.routing", "vislivis.routing"} <= set(modules)
    for name in modules:
        for pattern in importlib.import_module(name).websocket_urlpatterns:
            assert str(pattern.pattern) in served, f"{name} has a route the ASGI router does not serve"


def test_the_asgi_router_serves_vislivis_routing():
    """The table checks ``vislivis.routing``; the ASGI application must be built from exactly it."""
    from vislivis import asgi, routing

    router = asgi.application.application_mapping["websocket"]
    while not hasattr(router, "routes"):
        router = getattr(router, "inner", None) or router.application
    assert [str(r.pattern) for r in router.routes] == [str(r.pattern) for r in routing.websocket_urlpatterns]


# --- request bodies ----------------------------------------------------------------------------


def json_body(data: Any) -> tuple[str, str]:
    return json.dumps(data), "application/json"


def form_body(data: dict) -> tuple[dict, None]:
    return data, None  # the browser's form encoding


def credentials(actor: str, names: dict, world: World) -> dict:
    """A's own roles send their own credentials; B sends A's username with B's password."""
    side, role = actor.split(":")
    user = world.users.get(actor)
    if side == "b":
        return {"username": world.users["a:sender"].username, "password": B_PASSWORD}
    if user is None:
        return {"username": world.users["a:sender"].username, "password": "not-the-password"}
    return {"username": user.username, "password": PASSWORD}


BODIES: dict[str, Callable[[str, dict, World], tuple[Any, str]]] = {
    "": lambda actor, names, world: ("", "application/json"),
    "token": lambda actor, names, world: json_body(credentials(actor, names, world)),
    "heartbeat": lambda actor, names, world: json_body({"store": names["store_code"]}),
    "customers": lambda actor, names, world: json_body(
        {"store": names["store_code"], "timestamp": "2026-11-30T10:00", "entered": 50, "exited": 40}
    ),
    "heatmaps": lambda actor, names, world: json_body(
        {"store": names["store_code"], "zone": "Giriş", "visitor_count": 70, "intensity": 0.9}
    ),
    "queues": lambda actor, names, world: json_body(
        {"store": names["store_code"], "cashier_id": "K1", "total_customers": 20, "wait_time": 300}
    ),
    "sales": lambda actor, names, world: json_body(
        {"store": names["store_code"], "timestamp": "2026-11-30T10:00", "transactions": 12, "revenue": "1500.50"}
    ),
    "setup": lambda actor, names, world: json_body(
        {
            "store": names["store_code"],
            "site_name": "Taken",
            "cameras": [{"name": "X", "type": "queue", "rtsp": "rtsp://x/y"}],
        }
    ),
    "process_request": lambda actor, names, world: json_body(seed_body(device=names["device"])),
    "metrics_xml": lambda actor, names, world: (
        sample("metrics").replace(b'Enters="', b'Enters="9'),
        "application/xml",
    ),
    "login": lambda actor, names, world: form_body(credentials(actor, names, world)),
    "password_change": lambda actor, names, world: form_body(
        {"old_password": "not-the-password", "new_password1": "Fresh-pass-4321", "new_password2": "Fresh-pass-4321"}
    ),
    "password_reset": lambda actor, names, world: form_body({"email": world.users["a:viewer"].email}),
    "password_reset_confirm": lambda actor, names, world: form_body(
        {"new_password1": "Fresh-pass-4321", "new_password2": "Fresh-pass-4321"}
    ),
    "setlang": lambda actor, names, world: form_body({"language": "en", "next": "/dashboard/"}),
}


def call(world: World, actor: str, route: Route, method: str, real: bool = True):
    """``method`` on ``route`` as ``actor``, the URL and body naming A's objects (or fakes)."""
    names = world.names(real)
    if route.target == "ingest_key" and actor.startswith("b:"):
        names = world.names(real=False)  # B does not hold A's key: it can only guess one
    url = route.url.format(**names)
    client = world.client(actor)
    if method == "get":
        return client.get(url)
    data, content_type = BODIES[route.body](actor, names, world)
    if content_type is None:  # a form
        if method == "post":
            return client.post(url, data)
        content_type, data = "application/x-www-form-urlencoded", urlencode(data)
    return client.generic(method.upper(), url, data, content_type=content_type)


def is_refusal(response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


def comparable(response, world: World) -> tuple[int, Any]:
    """Status and (JSON) body with A's names replaced by the fakes' ones."""
    if "json" not in response.get("Content-Type", ""):
        return response.status_code, None
    text = response.content.decode()
    real, fake = world.names(True), world.names(False)
    for key in ("store_code", "device", "ingest_key"):
        text = text.replace(str(real[key]), str(fake[key]))
    return response.status_code, json.loads(text)


@pytest.fixture
def world(db) -> World:
    return build_world()


def route_id(route: Route) -> str:
    return route.url


# --- tenant B against tenant A ------------------------------------------------------------------


def other_tenant_tries(world: World, route: Route, role: str) -> None:
    actor = f"b:{role}"
    before = snapshot(world.tenant_a)
    for method in METHODS:
        response = call(world, actor, route, method)
        where = f"{method.upper()} {route.url} as {actor}"
        assert response.status_code < 500, (where, response.content[:300])
        text = response.content.decode(errors="replace")
        for marker in world.markers():
            assert marker not in text, f"{where} shows A's {marker!r}"
        if route.target in ("store", "rig", "session", "ingest_key"):
            assert is_refusal(response), (where, response.status_code, response.content[:300])
        elif method != "get" and route.target == "self" and route.write:
            assert is_refusal(response) or response.status_code == 400, (where, response.status_code)
        if route.target not in ("public", "account"):
            fake = call(world, actor, route, method, real=False)
            assert comparable(response, world) == comparable(fake, world), f"{where} tells A's object from none"
    assert snapshot(world.tenant_a) == before, f"{route.url} as {actor} changed tenant A's rows"


def own_role_tries(world: World, route: Route, role: str) -> None:
    actor = f"a:{role}"
    where = f"{route.url} as {actor}"
    if route.read or route.target != "public":
        response = call(world, actor, route, "get")
        if role in route.read:
            assert response.status_code in route.read_ok, (where, response.status_code, response.content[:300])
        else:
            assert is_refusal(response), (where, response.status_code, response.content[:300])
    before = snapshot(world.tenant_a)
    response = call(world, actor, route, "delete")
    assert role not in route.delete, "no route deletes: the table cannot allow it"
    assert is_refusal(response) or response.status_code in route.delete_answer, (where, response.status_code)
    assert snapshot(world.tenant_a) == before, f"a refused DELETE of {where} changed something"
    if route.body or route.write:
        response = call(world, actor, route, route.write_method.lower())
        if role in route.write:
            assert response.status_code in route.write_ok, (where, response.status_code, response.content[:300])
        else:
            assert is_refusal(response), (where, response.status_code, response.content[:300])
            assert snapshot(world.tenant_a) == before, f"a refused write of {where} changed something"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_each_route_as_every_role(world, route):
    """B's sender, viewer and brand admin first (nothing of A), then A's own roles (the table)."""
    for role in B_ROLES:
        other_tenant_tries(world, route, role)
    for role in A_ROLES:
        own_role_tries(world, route, role)


def test_table_roles_are_known():
    for route in ROUTES:
        assert {*route.read, *route.write, *route.delete} <= set(A_ROLES), route
        assert route.target in ("store", "rig", "session", "ingest_key", "self", "account", "public"), route
        assert route.body in BODIES, route
    assert routes.NOBODY == frozenset()
