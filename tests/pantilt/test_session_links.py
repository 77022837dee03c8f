"""Two deployments (or two test runs) that share a broker have capture sessions with equal ids.

An MQTT broker drops the older connection when a second one logs in with the same client id, so
a session's link must not be named by its primary key alone: both links below must stay up.
"""

from __future__ import annotations

import time

import pytest

from pantilt.models import CaptureSession
from pantilt.session import _open_link
from tests.pantilt.conftest import seed_body

pytestmark = pytest.mark.django_db


def test_sessions_with_equal_ids_on_one_broker_keep_both_connections(rig_a, use_broker):
    session = CaptureSession.objects.create(tenant=rig_a.tenant, rig=rig_a, request=seed_body())
    first = _open_link(session)
    try:
        assert first.wait_connected(10), first.last_error
        second = _open_link(session)  # the same id, as the other deployment's session would have
        try:
            assert second.wait_connected(10), second.last_error
            time.sleep(1.0)  # a broker takes the older connection down right after the new CONNECT
            assert first.connected, f"first link was dropped: {first.last_error}"
            assert second.connected
            assert first.client._client_id != second.client._client_id
        finally:
            second.stop()
    finally:
        first.stop()
