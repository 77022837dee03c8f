"""GET /api/pantilt/rigs/<id>: a rig of the caller's tenant; another tenant's rig is 404."""

from __future__ import annotations


def test_member_reads_own_rig(api, viewer_a, rig_a):
    response = api(viewer_a).get(f"/api/pantilt/rigs/{rig_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["device_id"] == "acikgoz_pantilt"
    assert body["state_topic"] == f"{rig_a.mqtt_prefix}/acikgoz_pantilt/state"
    assert [c["camera_id"] for c in body["cameras"]] == ["cameradevice_rgb_1", "cameradevice_swir_1"]
    assert [c["kind"] for c in body["cameras"]] == ["rgb", "swir"]


def test_other_tenants_rig_is_404(api, sender_a, rig_b):
    response = api(sender_a).get(f"/api/pantilt/rigs/{rig_b.pk}")
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}
    assert "rival" not in response.content.decode()


def test_unauthenticated_is_401(api, rig_a):
    assert api().get(f"/api/pantilt/rigs/{rig_a.pk}").status_code == 401
