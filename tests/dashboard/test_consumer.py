"""The store WebSocket (``/ws/stores/<id>/``) through the project's ASGI stack: a user who may
see the store joins ``store.<id>`` and receives its events only; anyone else is refused."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from stores.events import store_group
from vislivis.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def headers_for(client, user) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://testserver")]
    if user is not None:
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


def connect(client, user, store_id: int):
    return WebsocketCommunicator(application, f"/ws/stores/{store_id}/", headers=headers_for(client, user))


def test_viewer_receives_its_stores_events_only(client, viewer_a, store_a, store_b):
    communicator = connect(client, viewer_a, store_a.pk)

    async def scenario():
        connected, _ = await communicator.connect()
        assert connected
        layer = get_channel_layer()
        await layer.group_send(store_group(store_b.pk), {"type": "store.event", "kind": "analytics", "payload": {}})
        assert await communicator.receive_nothing(timeout=0.2)
        await layer.group_send(
            store_group(store_a.pk), {"type": "store.event", "kind": "heartbeat", "payload": {"received_at": "x"}}
        )
        message = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"ignored": True})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return message

    assert async_to_sync(scenario)() == {"kind": "heartbeat", "payload": {"received_at": "x"}}


@pytest.mark.parametrize("who", ["viewer_b", "sender_b", "anonymous", "ungranted_viewer"])
def test_refused_without_access(client, request, store_a, store_a2, viewer_b, sender_b, who):
    from stores.models import Role
    from tests.factories import make_member

    users = {
        "viewer_b": viewer_b,
        "sender_b": sender_b,
        "anonymous": None,
        "ungranted_viewer": make_member(store_a.tenant, Role.VIEWER, [store_a2], username="other-viewer").user,
    }
    communicator = connect(client, users[who], store_a.pk)

    async def scenario():
        result = await communicator.connect()
        await communicator.disconnect()
        return result

    assert async_to_sync(scenario)() == (False, 4403)


def test_unknown_store_is_refused(client, brand_admin_a):
    communicator = connect(client, brand_admin_a, 987654)

    async def scenario():
        return await communicator.connect()

    assert async_to_sync(scenario)() == (False, 4403)
