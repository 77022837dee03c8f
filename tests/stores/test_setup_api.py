"""POST /api/settings/setup: site name and cameras, body credentials, snapshots, masking."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from stores.models import Camera, CameraType

URL = "/api/settings/setup"
SEED = {
    "username": "boyner",
    "password": "s3cret-pass",
    "site_name": "Boyner Magazcılık AŞ - AVM İstanbul",
    "cameras": [
        {"name": "Giriş - Kişi Sayım", "type": "Kişi Sayım", "rtsp": "rtsp://192.168.1.10/stream1"},
        {"name": "Isı Haritası - Erkek Giyim", "type": "Isı Haritası", "rtsp": "rtsp://192.168.1.10/stream2"},
        {"name": "Isı Haritası - Kadın Giyim", "type": "Isı Haritası", "rtsp": "rtsp://192.168.1.10/stream3"},
    ],
}


def jpeg_base64(width: int = 32, height: int = 24) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_seed_payload_with_body_credentials(api, sender_a, store_a):
    response = api().post(URL, SEED, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["store"] == "boyner-avm"
    assert body["site_name"] == "Boyner Magazcılık AŞ - AVM İstanbul"
    assert [(c["name"], c["type"], c["active"]) for c in body["cameras"]] == [
        ("Giriş - Kişi Sayım", "people_count", True),
        ("Isı Haritası - Erkek Giyim", "heatmap", True),
        ("Isı Haritası - Kadın Giyim", "heatmap", True),
    ]
    store_a.refresh_from_db()
    assert store_a.site_name == "Boyner Magazcılık AŞ - AVM İstanbul"


def test_resend_is_200_and_missing_cameras_become_inactive(api, sender_a, store_a):
    client = api()
    client.post(URL, SEED, format="json")
    reduced = {**SEED, "cameras": SEED["cameras"][:1]}
    response = client.post(URL, reduced, format="json")
    assert response.status_code == 200
    assert Camera.objects.filter(store=store_a).count() == 3
    assert list(Camera.objects.filter(active=True).values_list("name", flat=True)) == ["Giriş - Kişi Sayım"]
    # A camera listed again is active again.
    client.post(URL, SEED, format="json")
    assert Camera.objects.filter(active=True).count() == 3


def test_rtsp_credentials_are_stored_but_masked(api, sender_a):
    payload = {
        **SEED,
        "cameras": [{"name": "Kasa", "type": "queue", "rtsp": "rtsp://admin:Sup3rS3cret@10.0.0.5:554/h264"}],
    }
    response = api().post(URL, payload, format="json")
    assert response.status_code == 201
    assert "Sup3rS3cret" not in response.content.decode()
    assert response.json()["cameras"][0]["rtsp"] == "rtsp://admin:***@10.0.0.5:554/h264"
    camera = Camera.objects.get()
    assert camera.rtsp_url == "rtsp://admin:Sup3rS3cret@10.0.0.5:554/h264"
    assert camera.type == CameraType.QUEUE


def test_header_credentials_work_without_body_credentials(api, sender_a):
    payload = {key: value for key, value in SEED.items() if key not in ("username", "password")}
    assert api(sender_a).post(URL, payload, format="json").status_code == 201


def test_wrong_body_credentials_are_401(api, sender_a):
    response = api().post(URL, {**SEED, "password": "wrong"}, format="json")
    assert response.status_code == 401
    assert not Camera.objects.exists()


def test_no_credentials_are_401(api, sender_a):
    payload = {key: value for key, value in SEED.items() if key not in ("username", "password")}
    assert api().post(URL, payload, format="json").status_code == 401


def test_snapshot_is_validated_and_kept(api, sender_a):
    cameras = [{**SEED["cameras"][0], "snapshot": jpeg_base64()}]
    response = api().post(URL, {**SEED, "cameras": cameras}, format="json")
    assert response.status_code == 201
    camera = Camera.objects.get()
    with Image.open(camera.snapshot.path) as image:
        assert (image.format, image.size) == ("JPEG", (32, 24))
    assert response.json()["cameras"][0]["snapshot"].endswith(".jpg")


@pytest.mark.parametrize(
    "snapshot",
    [
        "not base64 at all!",
        base64.b64encode(b"plain text, not an image").decode(),
        base64.b64encode(b"GIF89a....").decode(),
    ],
)
def test_bad_snapshot_is_400(api, sender_a, snapshot):
    cameras = [{**SEED["cameras"][0], "snapshot": snapshot}]
    response = api().post(URL, {**SEED, "cameras": cameras}, format="json")
    assert response.status_code == 400
    assert "cameras.0.snapshot" in response.json()["errors"]
    assert not Camera.objects.exists()


@pytest.mark.parametrize(
    ("cameras", "field"),
    [
        ([{"name": "A", "type": "Drone", "rtsp": "rtsp://h/1"}], "cameras.0.type"),
        ([{"name": "A", "type": "heatmap", "rtsp": "ftp://h/1"}], "cameras.0.rtsp"),
        ([{"name": "A", "type": "heatmap", "rtsp": "rtsp://"}], "cameras.0.rtsp"),
        ([{"type": "heatmap", "rtsp": "rtsp://h/1"}], "cameras.0.name"),
        (
            [
                {"name": "A", "type": "heatmap", "rtsp": "rtsp://h/1"},
                {"name": "A", "type": "queue", "rtsp": "rtsp://h/2"},
            ],
            "cameras",
        ),
        ("not a list", "cameras"),
    ],
)
def test_invalid_cameras_are_400(api, sender_a, cameras, field):
    response = api().post(URL, {**SEED, "cameras": cameras}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Camera.objects.exists()


def test_missing_site_name_is_400(api, sender_a, store_a):
    payload = {key: value for key, value in SEED.items() if key != "site_name"}
    response = api().post(URL, payload, format="json")
    assert response.status_code == 400
    assert "site_name" in response.json()["errors"]
    store_a.refresh_from_db()
    assert store_a.site_name == ""


def test_other_tenant_store_404(api, sender_a, store_b):
    response = api().post(URL, {**SEED, "store": store_b.code}, format="json")
    assert response.status_code == 404
    store_b.refresh_from_db()
    assert store_b.site_name == ""
    assert not Camera.objects.exists()
