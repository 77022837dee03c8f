"""Factories for rigs and their cameras."""

from __future__ import annotations

import factory

from pantilt.models import Rig, RigCamera
from tests.factories import TenantFactory


class RigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rig

    tenant = factory.SubFactory(TenantFactory)
    device_id = factory.Sequence(lambda n: f"rig_{n}")
    mqtt_prefix = "pantilt"
    settle_seconds = 0.3
    move_timeout_seconds = 10.0


class RigCameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RigCamera

    rig = factory.SubFactory(RigFactory)
    camera_id = factory.Sequence(lambda n: f"cameradevice_rgb_{n}")
    kind = "rgb"
    ws_url = "ws://127.0.0.1:9/unused"
