"""WebSocket /ws/pantilt/sessions/<id>/: a snapshot on connect, then pushed status changes."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from pantilt.events import push_session_status
from pantilt.models import CaptureSession
from tests.pantilt.conftest import seed_body
from vislivis.routing import websocket_urlpatterns


def application():
    from channels.routing import URLRouter

    return URLRouter(websocket_urlpatterns)


async def connect(user, session_id: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application(), f"/ws/pantilt/sessions/{session_id}/")
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
def test_member_gets_snapshot_and_pushed_status(viewer_a, rig_a):
    session = CaptureSession.objects.create(tenant_id=rig_a.tenant_id, rig=rig_a, request=seed_body())
    async_to_sync(member_scenario)(viewer_a, session)


async def member_scenario(viewer_a, session):
    communicator = await connect(viewer_a, session.pk)
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from()
    assert (snapshot["type"], snapshot["session_id"], snapshot["status"]) == ("status", session.pk, "queued")

    await sync_to_async(push_session_status)(
        {"session_id": session.pk, "status": "recording", "error": "", "frames": {}}
    )
    assert await communicator.receive_json_from() == {
        "type": "status", "session_id": session.pk, "status": "recording", "error": "", "frames": {},
    }  # fmt: skip
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
def test_other_tenant_is_refused(viewer_b, rig_a):
    session = CaptureSession.objects.create(tenant_id=rig_a.tenant_id, rig=rig_a, request=seed_body())
    async_to_sync(refused_scenario)(viewer_b, session)


async def refused_scenario(viewer_b, session):
    communicator = await connect(viewer_b, session.pk)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4404
