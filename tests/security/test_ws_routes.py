"""Every WebSocket route of ``routes.WS_ROUTES`` through the project's ASGI stack (origin check,
session auth, router): tenant B's sender, viewer and brand admin, and anonymous, are refused on
A's store and A's capture session and receive none of A's events; A's members connect and do."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from pantilt.events import session_group
from stores.events import store_group
from tests.security.routes import A_ROLES, B_ROLES, WS_ROUTES, WsRoute
from tests.security.tenant_world import World, build_world
from vislivis.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world() -> World:
    return build_world()


def headers(world: World, actor: str) -> list[tuple[bytes, bytes]]:
    found = [(b"origin", b"http://testserver")]
    cookie = world.client(actor).cookies.get("sessionid")
    if cookie is not None:
        found.append((b"cookie", f"sessionid={cookie.value}".encode()))
    return found


def a_event(world: World, route: WsRoute) -> tuple[str, dict]:
    """The group A's object publishes on, and an event of the shape its consumer forwards."""
    if route.target == "store":
        return store_group(world.store_a.pk), {"type": "store.event", "kind": "heartbeat", "payload": {"x": 1}}
    return session_group(world.session_a.pk), {"type": "session.status", "session_id": world.session_a.pk}


def attempt(world: World, route: WsRoute, actor: str, own_actor: str | None = None):
    """Connect ``actor`` to A's object; A's group then publishes. → (connected, received anything)."""
    url = route.url.format(**world.names())
    group, event = a_event(world, route)

    async def scenario():
        communicator = WebsocketCommunicator(application, url, headers=headers(world, actor))
        connected, _ = await communicator.connect(timeout=5)
        received = False
        if connected:
            await communicator.receive_nothing(timeout=0.2) or await communicator.receive_from(timeout=1)  # snapshot
            await get_channel_layer().group_send(group, event)
            received = not await communicator.receive_nothing(timeout=0.5)
            await communicator.disconnect()
        return connected, received

    return async_to_sync(scenario)()


@pytest.mark.parametrize("route", WS_ROUTES, ids=lambda r: r.url)
def test_other_tenant_and_anonymous_are_refused(world, route):
    for actor in [f"b:{role}" for role in B_ROLES] + ["a:anonymous"]:
        assert attempt(world, route, actor) == (False, False), actor


@pytest.mark.parametrize("route", WS_ROUTES, ids=lambda r: r.url)
def test_own_roles_as_the_table_says(world, route):
    for role in A_ROLES:
        expected = (True, True) if role in route.read else (False, False)
        assert attempt(world, route, f"a:{role}") == expected, role


def test_other_tenant_on_its_own_store_gets_none_of_a(world):
    """B's viewer, connected to B's store, hears nothing when A's store publishes."""
    route = WS_ROUTES[0]

    async def scenario():
        url = route.url.format(store_id=world.store_b.pk)
        communicator = WebsocketCommunicator(application, url, headers=headers(world, "b:viewer"))
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        group, event = a_event(world, route)
        await get_channel_layer().group_send(group, event)
        quiet = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return quiet

    assert async_to_sync(scenario)()
