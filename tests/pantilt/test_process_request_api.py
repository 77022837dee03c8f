"""POST /api/pantilt/process-request (+ root aliases): validation per SPEC §5, nothing queued on error."""

from __future__ import annotations

import copy

import pytest

from pantilt.models import CaptureSession
from tests.pantilt.conftest import DEVICE, RGB, SWIR, seed_body

URL = "/api/pantilt/process-request"


def post(client, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, body, format="json")
    return response, callbacks


@pytest.mark.parametrize("url", [URL, "/api/pantilt/process-request/", "/process-request", "/process-requests"])
def test_seed_request_is_accepted_and_queued(api, sender_a, rig_a, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(sender_a).post(url, seed_body(duration=5), format="json")

    assert response.status_code == 202
    session = CaptureSession.objects.get()
    assert response.json() == {"session_id": session.pk, "status": "queued"}
    assert session.rig == rig_a
    assert session.tenant == rig_a.tenant
    assert session.requested_by == sender_a
    assert session.request == seed_body(duration=5)
    assert len(callbacks) == 1  # enqueued after commit, exactly once


def test_brand_admin_may_start_a_session(api, brand_admin_a, rig_a, django_capture_on_commit_callbacks):
    response, callbacks = post(api(brand_admin_a), seed_body(), django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert len(callbacks) == 1


def test_viewer_may_not_start_a_session(api, viewer_a, rig_a, django_capture_on_commit_callbacks):
    response, callbacks = post(api(viewer_a), seed_body(), django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not CaptureSession.objects.exists()
    assert callbacks == []


def test_unauthenticated_is_401(api, rig_a):
    assert api().post(URL, seed_body(), format="json").status_code == 401
    assert not CaptureSession.objects.exists()


def test_other_tenants_rig_is_unknown_and_not_revealed(api, sender_a, rig_a, rig_b, django_capture_on_commit_callbacks):
    foreign, callbacks = post(api(sender_a), seed_body(device="rival_rig"), django_capture_on_commit_callbacks)
    missing, _ = post(api(sender_a), seed_body(device="no_such_rig"), django_capture_on_commit_callbacks)

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == {"errors": {"requests.0.device_id": ["Unknown device 'rival_rig'."]}}
    assert missing.json() == {"errors": {"requests.0.device_id": ["Unknown device 'no_such_rig'."]}}
    assert "rival_rgb_1" not in foreign.content.decode()
    assert not CaptureSession.objects.exists()
    assert callbacks == []


def with_change(path: tuple, value) -> dict:
    body = seed_body()
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


PAN = ("requests", 1, "args", "pan_position_deg_x100")
TILT = ("requests", 2, "args", "tilt_position_deg_x100")
DURATION = ("requests", 0, "args", "duration_second")
CAMERAS = ("requests", 0, "args", "camera_ids")

CASES = [
    ("pan out of range", with_change(PAN, 18001), "requests.1.args.pan_position_deg_x100",
     "Out of range: the rig accepts -18000 to 18000."),
    ("tilt out of range", with_change(TILT, -9001), "requests.2.args.tilt_position_deg_x100",
     "Out of range: the rig accepts -9000 to 9000."),
    ("non-integer degrees", with_change(PAN, 45.5), "requests.1.args.pan_position_deg_x100",
     "An integer is required (degrees × 100 for positions)."),
    ("degrees as string", with_change(PAN, "4500"), "requests.1.args.pan_position_deg_x100",
     "An integer is required (degrees × 100 for positions)."),
    ("boolean degrees", with_change(TILT, True), "requests.2.args.tilt_position_deg_x100",
     "An integer is required (degrees × 100 for positions)."),
    ("missing position", with_change(PAN, KeyError), "requests.1.args.pan_position_deg_x100",
     "This field is required."),
    ("zero duration", with_change(DURATION, 0), "requests.0.args.duration_second",
     "Must be greater than 0 and at most 600."),
    ("negative duration", with_change(DURATION, -3), "requests.0.args.duration_second",
     "Must be greater than 0 and at most 600."),
    ("huge duration", with_change(DURATION, 10**9), "requests.0.args.duration_second",
     "Must be greater than 0 and at most 600."),
    ("duration as text", with_change(DURATION, "x"), "requests.0.args.duration_second",
     "A number of seconds is required."),
    ("unknown camera", with_change(CAMERAS, [SWIR, "cameradevice_rgb_9"]), "requests.0.args.camera_ids.1",
     "Unknown camera 'cameradevice_rgb_9' on device 'acikgoz_pantilt'."),
    ("camera twice", with_change(CAMERAS, [RGB, RGB]), "requests.0.args.camera_ids.1",
     "Camera 'cameradevice_rgb_1' is listed twice."),
    ("no cameras", with_change(CAMERAS, []), "requests.0.args.camera_ids",
     "A non-empty list of camera ids is required."),
    ("unknown command", with_change(("requests", 1, "command_id"), "self_destruct"), "requests.1.command_id",
     "Must be one of: start_recording_command, set_pan_position_degree, set_tilt_position_degree, "
     "set_rgb_zoom, set_swir_zoom."),
    ("unknown target", with_change(("requests", 2, "target_id"), "toaster"), "requests.2.target_id",
     "Must be one of: camera_device, entity."),
    ("wrong target", with_change(("requests", 1, "target_id"), "camera_device"), "requests.1.target_id",
     "set_pan_position_degree is sent to target 'entity'."),
    ("args not an object", with_change(("requests", 1, "args"), [4500]), "requests.1.args", "Expected an object."),
    ("second device", with_change(("requests", 2, "device_id"), "other_rig"), "requests.2.device_id",
     "All requests of one call must name the same device."),
    ("entry not an object", with_change(("requests", 1), "pan 45"), "requests.1",
     "Expected an object with target_id, device_id, command_id and args."),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_request_is_400_with_index_and_field(
    api, sender_a, rig_a, body, field, message, django_capture_on_commit_callbacks
):
    response, callbacks = post(api(sender_a), body, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert response.json() == {"errors": {field: [message]}}
    assert not CaptureSession.objects.exists()
    assert callbacks == []


@pytest.mark.parametrize(
    ("body", "field"),
    [([1, 2], "non_field_errors"), ({}, "requests"), ({"requests": []}, "requests"), ({"requests": "x"}, "requests")],
)
def test_malformed_body_is_400(api, sender_a, rig_a, body, field):
    response = api(sender_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not CaptureSession.objects.exists()


def test_invalid_json_is_400(api, sender_a, rig_a):
    response = api(sender_a).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_two_recordings_in_one_call_are_refused(api, sender_a, rig_a):
    body = seed_body()
    body["requests"].append(copy.deepcopy(body["requests"][0]))
    response = api(sender_a).post(URL, body, format="json")
    assert response.json() == {"errors": {"requests.3.command_id": ["Only one start_recording_command per call."]}}
    assert not CaptureSession.objects.exists()


def test_zoom_commands_are_checked_against_rig_limits(api, sender_a, rig_a, django_capture_on_commit_callbacks):
    body = {
        "requests": [
            {"target_id": "entity", "device_id": DEVICE, "command_id": "set_rgb_zoom", "args": {"rgb_zoom": 400}},
            {"target_id": "entity", "device_id": DEVICE, "command_id": "set_swir_zoom", "args": {"swir_zoom": 10001}},
        ]
    }
    response, _ = post(api(sender_a), body, django_capture_on_commit_callbacks)
    assert response.json() == {"errors": {"requests.1.args.swir_zoom": ["Out of range: the rig accepts 0 to 10000."]}}

    body["requests"][1]["args"]["swir_zoom"] = 10000
    response, callbacks = post(api(sender_a), body, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert len(callbacks) == 1


def test_several_errors_are_reported_together(api, sender_a, rig_a):
    body = with_change(PAN, 99999)
    body["requests"][2]["args"]["tilt_position_deg_x100"] = 1.5
    response = api(sender_a).post(URL, body, format="json")
    assert set(response.json()["errors"]) == {
        "requests.1.args.pan_position_deg_x100",
        "requests.2.args.tilt_position_deg_x100",
    }
