"""GET /api/pantilt/sessions/<id>: the caller's tenant only; another tenant's session is 404."""

from __future__ import annotations

from django.utils import timezone

from pantilt.models import CaptureSession
from tests.pantilt.conftest import seed_body


def make_session(rig, **fields):
    return CaptureSession.objects.create(tenant=rig.tenant, rig=rig, request=seed_body(), **fields)


def test_viewer_reads_own_tenants_session(api, viewer_a, rig_a):
    session = make_session(
        rig_a, status="done", folder="captures/boyner/20260101_120000_1", frames={"cameradevice_rgb_1": {"saved": 3}},
        started_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip

    response = api(viewer_a).get(f"/api/pantilt/sessions/{session.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["session_id"] == session.pk
    assert body["device_id"] == "acikgoz_pantilt"
    assert body["status"] == "done"
    assert body["error"] == ""
    assert body["folder"] == "captures/boyner/20260101_120000_1"
    assert body["frames"] == {"cameradevice_rgb_1": {"saved": 3}}
    assert body["request"] == seed_body()
    assert body["created_at"] == session.created_at.isoformat()
    assert body["finished_at"] == session.finished_at.isoformat()


def test_other_tenants_session_is_404_and_not_revealed(api, sender_a, viewer_b, rig_a, rig_b):
    theirs = make_session(rig_b, folder="captures/rival-brand/x")
    for user in (sender_a,):
        response = api(user).get(f"/api/pantilt/sessions/{theirs.pk}")
        assert response.status_code == 404
        assert "rival" not in response.content.decode()
    mine = make_session(rig_a)
    assert api(viewer_b).get(f"/api/pantilt/sessions/{mine.pk}").status_code == 404
    assert api(sender_a).get("/api/pantilt/sessions/999999").status_code == 404


def test_operator_sees_every_tenant(api, operator, rig_b):
    session = make_session(rig_b)
    assert api(operator).get(f"/api/pantilt/sessions/{session.pk}").status_code == 200


def test_unauthenticated_is_401(api, rig_a):
    session = make_session(rig_a)
    assert api().get(f"/api/pantilt/sessions/{session.pk}").status_code == 401
