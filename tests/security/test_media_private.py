"""Private media, tried as an attacker: snapshots and capture frames only for who may see them.

Two tenants: A's store has a camera snapshot and A has a capture session with frames; B's users,
A's viewer of another store, and anonymous clients must get 404 - with ``DEBUG`` on too.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from rest_framework.test import APIClient

from pantilt.models import CaptureSession, Rig
from stores.models import Camera, Role
from tests.conftest import basic_auth_header
from tests.factories import make_member
from vislivis.media import MediaView


def png_bytes(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    (tmp_path / "secret.txt").write_text("outside MEDIA_ROOT")
    return root


@pytest.fixture
def snapshot(media_root, store_a):
    camera = Camera.objects.create(store=store_a, name="Giriş", type="people_count")
    camera.snapshot.save(f"store-{store_a.pk}/camera-{camera.pk}.png", ContentFile(png_bytes()), save=True)
    return camera


@pytest.fixture
def frames(media_root, tenant_a):
    """A's capture session: two frames and a manifest, as pantilt.storage writes them."""
    rig = Rig.objects.create(tenant=tenant_a, device_id="acikgoz")
    folder = "captures/boyner/20260101_120000_1"
    camera_dir = media_root / folder / "cameradevice_rgb_1"
    camera_dir.mkdir(parents=True)
    for seq in range(2):
        (camera_dir / f"{seq:06d}.png").write_bytes(png_bytes("blue"))
    (media_root / folder / "manifest.json").write_text(json.dumps({"frames": 2}))
    CaptureSession.objects.create(tenant=tenant_a, rig=rig, request={}, folder=folder)
    return folder


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_media_urls_are_always_the_checked_view(settings):
    settings.DEBUG = True
    assert resolve("/media/snapshots/x.png").func.view_class is MediaView


def test_the_owner_sees_its_snapshot(snapshot, viewer_a, brand_admin_a, sender_a, operator):
    url = snapshot.snapshot.url
    assert url.startswith("/media/snapshots/")
    for user in (viewer_a, brand_admin_a, operator):
        response = logged_in(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == snapshot.snapshot.open("rb").read()
    # The sender that uploaded it, with the API's Basic credentials (the URL is in its setup reply).
    sender = APIClient()
    sender.credentials(HTTP_AUTHORIZATION=basic_auth_header(sender_a.username))
    assert sender.get(url).status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_nobody_else_fetches_a_snapshot(snapshot, viewer_b, sender_b, store_a2, settings, debug):
    settings.DEBUG = debug
    url = snapshot.snapshot.url
    other_store_viewer = make_member(store_a2.tenant, Role.VIEWER, [store_a2], username="viewer-a2").user
    brand_admin_b = make_member(viewer_b.membership.tenant, Role.BRAND_ADMIN, [], username="owner-b").user
    assert Client().get(url).status_code == 404
    for user in (viewer_b, brand_admin_b, other_store_viewer):
        assert logged_in(user).get(url).status_code == 404, user
    rival = APIClient()
    rival.credentials(HTTP_AUTHORIZATION=basic_auth_header(sender_b.username))
    assert rival.get(url).status_code == 404


def test_the_tenant_sees_its_frames_and_nobody_else_does(frames, brand_admin_a, viewer_a, viewer_b, sender_b):
    frame, manifest = f"/media/{frames}/cameradevice_rgb_1/000001.png", f"/media/{frames}/manifest.json"
    for user in (brand_admin_a, viewer_a):
        assert logged_in(user).get(frame).status_code == 200
        response = logged_in(user).get(manifest)
        assert response.status_code == 200
        assert json.loads(b"".join(response.streaming_content)) == {"frames": 2}
    for client in (Client(), logged_in(viewer_b), logged_in(sender_b)):
        assert client.get(frame).status_code == 404
        assert client.get(manifest).status_code == 404


def test_the_admin_thumbnails_point_at_the_checked_view(frames, brand_admin_a):
    session = CaptureSession.objects.get(folder=frames)
    page = logged_in(brand_admin_a).get(f"/admin/pantilt/capturesession/{session.pk}/change/").content.decode()
    src = f"/media/{frames}/cameradevice_rgb_1/000000.png"
    assert src in page
    assert logged_in(brand_admin_a).get(src).status_code == 200


def test_a_folder_is_matched_whole_not_by_prefix(frames, tenant_b, viewer_a, media_root):
    """B's session ``…_10`` is not A's ``…_1`` though one name starts with the other."""
    rig_b = Rig.objects.create(tenant=tenant_b, device_id="rival")
    folder_b = frames + "0"
    (media_root / folder_b).mkdir(parents=True)
    (media_root / folder_b / "000000.png").write_bytes(png_bytes())
    CaptureSession.objects.create(tenant=tenant_b, rig=rig_b, request={}, folder=folder_b)
    assert logged_in(viewer_a).get(f"/media/{folder_b}/000000.png").status_code == 404


def test_files_without_an_owner_are_never_served(media_root, operator):
    (media_root / "stray.png").write_bytes(png_bytes())
    (media_root / "snapshots").mkdir()
    (media_root / "snapshots" / "orphan.png").write_bytes(png_bytes())
    client = logged_in(operator)
    assert client.get("/media/stray.png").status_code == 404
    assert client.get("/media/snapshots/orphan.png").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "%2E%2E%2Fsecret.txt",
        "snapshots/../../secret.txt",
        "snapshots/%2e%2e/%2e%2e/secret.txt",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "snapshots/..%5C..%5Csecret.txt",
        "snapshots\\..\\..\\secret.txt",
        "snapshots/./x.png",
        "snapshots//x.png",
        "snapshots/x.png%00.txt",
        "captures/boyner/20260101_120000_1/../../../../secret.txt",
    ],
)
def test_path_traversal_is_404(path, frames, snapshot, operator):
    """Even for the operator, who sees every tenant's files."""
    response = logged_in(operator).get(f"/media/{path}")
    assert response.status_code == 404, path
    assert b"outside MEDIA_ROOT" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_symlink_out_of_media_root_is_404(frames, media_root, operator):
    """An owned folder holding a link to a file elsewhere: the target is outside, so 404."""
    link = media_root / frames / "cameradevice_rgb_1" / "000009.png"
    link.symlink_to(Path(media_root).parent / "secret.txt")
    assert logged_in(operator).get(f"/media/{frames}/cameradevice_rgb_1/000009.png").status_code == 404


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(st.characters(codec="utf-8"), min_size=1, max_size=60))
def test_any_media_path_is_404_unless_it_is_the_owned_file(frames, viewer_a, path):
    client = logged_in(viewer_a)
    response = client.get("/media/" + path)
    assert response.status_code in (200, 404), (response.status_code, path)
    if response.status_code == 200:
        assert response.wsgi_request.path.startswith(f"/media/{frames}/")
