"""manage.py pantilt add-rig: creates or updates a rig and prints it as JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pantilt.models import Rig


def add_rig(*args: str) -> dict:
    out = StringIO()
    call_command("pantilt", "add-rig", *args, stdout=out)
    return json.loads(out.getvalue())


def test_add_rig_prints_json_and_infers_camera_kinds(tenant_a):
    body = add_rig(
        "--tenant", "Boyner", "--device-id", "acikgoz_pantilt", "--mqtt-prefix", "lab",
        "--camera", "cameradevice_swir_1=ws://127.0.0.1:8765/cameradevice_swir_1",
        "--camera", "cameradevice_rgb_1=ws://127.0.0.1:8765/cameradevice_rgb_1",
    )  # fmt: skip
    rig = Rig.objects.get(tenant=tenant_a, device_id="acikgoz_pantilt")
    assert body["id"] == rig.pk
    assert body["tenant"] == "Boyner"
    assert body["state_topic"] == "lab/acikgoz_pantilt/state"
    assert body["api_url"] == ""
    assert body["cameras"] == [
        {"camera_id": "cameradevice_rgb_1", "kind": "rgb", "ws_url": "ws://127.0.0.1:8765/cameradevice_rgb_1"},
        {"camera_id": "cameradevice_swir_1", "kind": "swir", "ws_url": "ws://127.0.0.1:8765/cameradevice_swir_1"},
    ]


def test_add_rig_twice_updates_instead_of_duplicating(tenant_a, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.0.0/24"]  # the operator allows the rig's LAN
    add_rig("--tenant", "Boyner", "--device-id", "r1", "--camera", "cam_rgb=ws://h:1/a")
    body = add_rig("--tenant", "Boyner", "--device-id", "r1", "--api-url", "http://10.0.0.5:5000/cmd",
                   "--camera", "cam_rgb=ws://h:2/a")  # fmt: skip
    assert Rig.objects.count() == 1
    assert body["api_url"] == "http://10.0.0.5:5000/cmd"
    assert body["cameras"] == [{"camera_id": "cam_rgb", "kind": "rgb", "ws_url": "ws://h:2/a"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "Nobody", "--device-id", "r"], "No tenant named 'Nobody'"),
        (["--tenant", "Boyner", "--device-id", "r", "--camera", "cam_x=ws://h/a"], "Cannot tell the kind"),
        (["--tenant", "Boyner", "--device-id", "r", "--camera", "cam_rgb"], "expected CAMERA_ID=ws://"),
        (["--tenant", "Boyner", "--device-id", "r", "--camera", "cam_rgb=http://h/a"], "Invalid rig"),
        (["--tenant", "Boyner", "--device-id", "bad/id"], "Invalid rig"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(tenant_a, args, message):
    with pytest.raises(CommandError, match=message):
        add_rig(*args)
    assert not Rig.objects.exists()


def test_internal_api_url_is_refused_unless_the_operator_allows_it(tenant_a, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(CommandError, match="10.0.0.5 is a private address"):
        add_rig("--tenant", "Boyner", "--device-id", "r1", "--api-url", "http://10.0.0.5:5000/cmd")
    with pytest.raises(CommandError, match="127.0.0.1 is a loopback address"):
        add_rig("--tenant", "Boyner", "--device-id", "r1", "--camera", "cam_rgb=ws://0x7f.1:8765/a")
    assert not Rig.objects.exists()


def test_camera_kind_option_overrides_inference(tenant_a):
    body = add_rig("--tenant", "Boyner", "--device-id", "r", "--camera-kind", "swir", "--camera", "cam_x=ws://h/a")
    assert body["cameras"][0]["kind"] == "swir"
