"""``setup``: the seed's payload, cameras that do not answer, and a camera that does."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import cv2
import numpy as np
import pytest

from senders.snapshots import SnapshotUnavailable, encode_jpeg
from stores.models import Camera, Store
from tests.factories import PASSWORD

from .conftest import closed_port


def seed_setup(payloads, rtsp: str, password: str = PASSWORD) -> dict:
    payload = json.loads((payloads / "payload_setup.json").read_text(encoding="utf-8"))
    payload["password"] = password
    for index, camera in enumerate(payload["cameras"], start=1):
        camera["rtsp"] = rtsp.format(index)
    return payload


def test_unreachable_cameras_are_sent_without_snapshots(sender, live_server, sender_a, store_a, payloads, write_json):
    port = closed_port()
    payload = seed_setup(payloads, f"rtsp://admin:secret@127.0.0.1:{port}/stream{{}}")
    # credentials come from the payload, as in the seed (no -u/-p on the command line)
    run = sender(
        "setup", "-j", write_json(payload), "--camera-timeout", "2", url=live_server.url, user=None, password=None
    )
    assert run.code == 0, run.err  # snapshots are best effort unless --snapshots asks for them (issue 18)
    assert "setup: sent 3 cameras (201 created)" in run.out
    assert run.err.count("sent without a snapshot") == 3
    assert f"rtsp://admin:***@127.0.0.1:{port}/stream1" in run.err
    assert "secret" not in run.err + run.out
    store = Store.objects.get(pk=store_a.pk)
    assert store.site_name == "Boyner Magazcılık AŞ - AVM İstanbul"
    cameras = list(Camera.objects.filter(store=store_a).order_by("name").values_list("name", "type", "active"))
    assert cameras == [
        ("Giriş - Kişi Sayım", "people_count", True),
        ("Isı Haritası - Erkek Giyim", "heatmap", True),
        ("Isı Haritası - Kadın Giyim", "heatmap", True),
    ]
    assert all(not camera.snapshot for camera in Camera.objects.filter(store=store_a))


def test_setup_password_never_reaches_the_spool(sender, payloads, write_json, down_url, spool_dir):
    import sqlite3

    run = sender("setup", "-j", write_json(seed_setup(payloads, "")), url=down_url, user=None, password=None)
    assert run.code == 4
    with sqlite3.connect(spool_dir / "spool.sqlite3") as db:
        (body,) = db.execute("SELECT body FROM outbox").fetchone()
    assert "password" not in json.loads(body)
    assert PASSWORD not in body


def test_wrong_password_in_the_payload_is_401(sender, live_server, sender_a, store_a, payloads, write_json, spool_dir):
    payload = seed_setup(payloads, "", password="boyner123")
    run = sender("setup", "-j", write_json(payload), url=live_server.url, user=None, password=None)
    assert run.code == 3
    assert "wrong username/password" in run.err
    assert not Camera.objects.exists()


@pytest.fixture
def video_camera(tmp_path):
    """A real stream OpenCV can open: a small MJPEG video served over HTTP (setup accepts http://)."""
    folder = tmp_path / "camera"
    folder.mkdir()
    writer = cv2.VideoWriter(str(folder / "cam.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 240))
    for shade in range(5):
        frame = np.full((240, 320, 3), 40 * shade, np.uint8)
        cv2.rectangle(frame, (50, 50), (200, 150), (0, 0, 255), -1)
        writer.write(frame)
    writer.release()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cam.avi"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_reachable_camera_gets_a_jpeg_snapshot(sender, live_server, sender_a, store_a, write_json, video_camera):
    payload = {
        "site_name": "AVM",
        "cameras": [
            {"name": "Kapı", "type": "people_count", "rtsp": video_camera},
            {"name": "Kasa", "type": "queue", "rtsp": f"rtsp://127.0.0.1:{closed_port()}/x"},
        ],
    }
    run = sender("setup", "-j", write_json(payload), "--camera-timeout", "5", "--snapshots", url=live_server.url)
    assert run.code == 6, run.err  # one camera answered, one did not, and --snapshots demanded both
    assert "setup: camera 'Kapı': snapshot 320x240" in run.out
    assert "error: setup: camera 'Kasa'" in run.err and "sent without a snapshot" in run.err
    assert "setup: sent 2 cameras (201 created)" in run.out  # the list still arrived
    door = Camera.objects.get(store=store_a, name="Kapı")
    assert door.snapshot.name.endswith(".jpg")
    with door.snapshot.open("rb") as image:
        assert image.read(3) == b"\xff\xd8\xff"
    assert not Camera.objects.get(store=store_a, name="Kasa").snapshot


def test_no_snapshots_flag_skips_the_cameras(sender, live_server, sender_a, store_a, write_json, payloads):
    grabbed = []
    run = sender(
        "setup",
        "-j",
        write_json(seed_setup(payloads, "rtsp://127.0.0.1/stream{}")),
        "--no-snapshots",
        url=live_server.url,
        grabber=lambda url, timeout: grabbed.append(url),
    )
    assert run.code == 0, run.err
    assert grabbed == []
    assert Camera.objects.filter(store=store_a).count() == 3


def test_snapshot_is_shrunk_to_fit_the_request_limit():
    noise = np.random.default_rng(7).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    text, width, height = encode_jpeg(noise, 300_000)
    assert len(text) <= 300_000
    assert max(width, height) <= 1280
    with pytest.raises(SnapshotUnavailable, match="1 MiB"):
        encode_jpeg(noise, 1_000)


def test_setup_validation_matches_the_panel(sender, live_server, sender_a, write_json):
    payload = {"site_name": "", "cameras": [{"name": "a", "type": "thermal", "rtsp": "ftp://x/y"}]}
    run = sender("setup", "-j", write_json(payload), url=live_server.url)
    assert run.code == 2
    assert run.err.splitlines() == [
        "setup: invalid site_name: This field may not be blank.",
        "setup: invalid cameras.0.type: Use one of: Kişi Sayım, people_count, Isı Haritası, heatmap, queue.",
        "setup: invalid cameras.0.rtsp: Must look like rtsp://host/path.",
        "setup: nothing sent (fix the payload and run again)",
    ]
    assert not Camera.objects.exists()
