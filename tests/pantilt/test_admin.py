"""Admin: a brand admin sees its tenant's rigs, sessions and command logs only; thumbnails show."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from django.conf import settings
from django.test import Client

from pantilt.models import CaptureSession, CommandLog
from tests.pantilt.conftest import seed_body


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_brand_admin_sees_own_tenant_only(brand_admin_a, rig_a, rig_b):
    mine = CaptureSession.objects.create(tenant=rig_a.tenant, rig=rig_a, request=seed_body())
    theirs = CaptureSession.objects.create(tenant=rig_b.tenant, rig=rig_b, request=seed_body())
    CommandLog.objects.create(session=theirs, index=1, command={"command_id": "x"}, transport="mqtt", status="sent")
    client = admin_client(brand_admin_a)

    assert client.get(f"/admin/pantilt/capturesession/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/pantilt/capturesession/{theirs.pk}/change/").status_code == 404
    rigs = client.get("/admin/pantilt/rig/").content.decode()
    assert "acikgoz_pantilt" in rigs
    assert "rival_rig" not in rigs
    assert "rival_rig" not in client.get("/admin/pantilt/commandlog/").content.decode()
    assert "rival_rgb_1" not in client.get("/admin/pantilt/rigcamera/").content.decode()


def test_session_page_shows_frames_as_thumbnails(operator, rig_a):
    folder = "captures/boyner/20260101_120000_1"
    camera_dir = Path(settings.MEDIA_ROOT) / folder / "cameradevice_rgb_1"
    camera_dir.mkdir(parents=True)
    for seq in range(3):
        cv2.imwrite(str(camera_dir / f"{seq:06d}.png"), np.zeros((4, 4, 3), np.uint8))
    session = CaptureSession.objects.create(tenant=rig_a.tenant, rig=rig_a, request=seed_body(), folder=folder)

    page = admin_client(operator).get(f"/admin/pantilt/capturesession/{session.pk}/change/").content.decode()

    assert page.count(f'<img src="/media/{folder}/cameradevice_rgb_1/') == 3
    assert f"/media/{folder}/cameradevice_rgb_1/000002.png" in page
