"""Creating rigs (the CLI and the demo share this)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pantilt.models import CameraKind, Rig, RigCamera
from stores.models import Tenant


def infer_kind(camera_id: str) -> str | None:
    lowered = camera_id.lower()
    if "swir" in lowered:
        return CameraKind.SWIR
    if "rgb" in lowered:
        return CameraKind.RGB
    return None


@transaction.atomic
def add_rig(tenant: Tenant, device_id: str, api_url: str, mqtt_prefix: str, cameras: list[tuple[str, str, str]]) -> Rig:
    """Create the rig or update it (idempotent); cameras given are created or updated."""
    rig = Rig.objects.filter(tenant=tenant, device_id=device_id).first() or Rig(tenant=tenant, device_id=device_id)
    rig.api_url = api_url
    rig.mqtt_prefix = mqtt_prefix
    rig.full_clean(validate_unique=False)
    rig.save()
    for camera_id, kind, url in cameras:
        camera = RigCamera.objects.filter(rig=rig, camera_id=camera_id).first() or RigCamera(
            rig=rig, camera_id=camera_id
        )
        camera.kind = kind
        camera.ws_url = url
        camera.full_clean(validate_unique=False)
        camera.save()
    return rig


def rig_as_dict(rig: Rig) -> dict[str, Any]:
    return {
        "id": rig.pk,
        "tenant": rig.tenant.name,
        "device_id": rig.device_id,
        "api_url": rig.api_url,
        "mqtt_prefix": rig.mqtt_prefix,
        "state_topic": rig.state_topic,
        "command_topic": rig.command_topic,
        "pan_limits": [rig.pan_min, rig.pan_max],
        "tilt_limits": [rig.tilt_min, rig.tilt_max],
        "zoom_limits": [rig.zoom_min, rig.zoom_max],
        "position_tolerance": rig.position_tolerance,
        "settle_seconds": rig.settle_seconds,
        "move_timeout_seconds": rig.move_timeout_seconds,
        "cameras": [
            {"camera_id": camera.camera_id, "kind": camera.kind, "ws_url": camera.ws_url}
            for camera in rig.cameras.order_by("camera_id")
        ],
    }
