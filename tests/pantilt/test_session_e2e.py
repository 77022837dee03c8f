"""End to end: process-request → simulated rig moves and settles → two cameras record → PNGs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings

from pantilt.background import join_all
from pantilt.models import CaptureSession, CommandLog
from tests.pantilt.conftest import RGB, SWIR, seed_body

URL = "/api/pantilt/process-request"


def wait_finished(client, session_id: int, timeout: float = 30.0) -> tuple[dict, list[str]]:
    """Poll the status endpoint like a client would; returns the last body and statuses seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/pantilt/sessions/{session_id}").json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body, seen
        time.sleep(0.05)


def read_png(path: Path) -> np.ndarray:
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_seed_request_moves_settles_records_and_saves(api, sender_a, rig_a, use_broker, rig_sim, camera_sim):
    simulator = rig_sim()
    camera_sim()
    client = api(sender_a)

    response = client.post(URL, seed_body(duration=1.5), format="json")

    assert response.status_code == 202
    session_id = response.json()["session_id"]
    assert response.json() == {"session_id": session_id, "status": "queued"}
    body, seen = wait_finished(client, session_id)
    join_all()
    assert body["status"] == "done", body["error"]
    assert body["error"] == ""
    assert seen[-1] == "done"
    assert set(seen) <= {"queued", "moving", "recording", "saving", "done"}
    # The rig really moved to the commanded place and was told so over MQTT.
    assert simulator.state()["pan_position_deg_x100"] == 4500
    assert simulator.state()["tilt_position_deg_x100"] == -1500
    logs = list(CommandLog.objects.filter(session_id=session_id).order_by("index"))
    assert [(log.index, log.transport, log.status) for log in logs] == [
        (1, "mqtt", "acknowledged"),
        (2, "mqtt", "acknowledged"),
    ]
    assert logs[0].command["command_id"] == "set_pan_position_degree"
    assert logs[0].response["topic"] == rig_a.command_topic

    folder = Path(settings.MEDIA_ROOT) / body["folder"]
    assert body["folder"].startswith("captures/boyner/")
    assert body["folder"].endswith(f"_{session_id}")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["session_id"] == session_id
    assert manifest["request"] == seed_body(duration=1.5)
    assert manifest["settled_state"]["pan_position_deg_x100"] == 4500
    assert manifest["rig_states"]
    for camera_id, shape, dtype in ((RGB, (48, 64, 3), np.uint8), (SWIR, (24, 32), np.uint16)):
        section = manifest["cameras"][camera_id]
        files = sorted((folder / camera_id).glob("*.png"))
        assert section["saved"] == len(files) == len(section["frames"])
        assert section["received"] == section["saved"] + section["dropped"]
        assert section["dropped"] == 0
        assert section["saved"] >= 10  # 1.5 s at 20 fps is ~30 frames
        assert body["frames"][camera_id]["saved"] == section["saved"]
        assert [f["file"] for f in section["frames"]] == [f"{camera_id}/{p.name}" for p in files]
        seqs = [f["seq"] for f in section["frames"]]
        assert section["missing_in_gaps"] == (seqs[-1] - seqs[0] + 1) - len(seqs)
        for path in files:
            image = read_png(path)
            assert image.shape == shape
            assert image.dtype == dtype
    # mono16 keeps its full range: values above 255 survive the PNG round trip.
    assert read_png(sorted((folder / SWIR).glob("*.png"))[-1]).max() > 255
    assert not (folder / ".spill").exists()


@pytest.mark.services
def test_settle_timeout_fails_with_last_state(rig_a, use_broker, rig_sim, camera_sim, tenant_a):
    from pantilt.session import run_session

    rig_sim(speed=0)  # a stuck rig: reports its state but never moves
    rig_a.move_timeout_seconds = 1.5
    rig_a.save()
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body())

    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "failed"
    assert session.error.startswith("Rig did not settle within 1.5 s; last state: ")
    last_state = json.loads(session.error.split("last state: ", 1)[1])
    assert last_state["pan_position_deg_x100"] == 0
    assert last_state["pan_moving"] is True
    assert session.folder == ""
    assert session.finished_at is not None
    assert session.rig_states


def test_unreachable_broker_fails_after_timeout_with_clear_error(rig_a, settings, tenant_a):
    from pantilt.session import run_session
    from tests.pantilt.brokers import free_port

    settings.PANTILT_MQTT_URL = f"mqtt://127.0.0.1:{free_port()}"
    rig_a.move_timeout_seconds = 0.5
    rig_a.save()
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body())

    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "failed"
    assert "no state received on" in session.error
    assert "could not reach the MQTT broker mqtt://127.0.0.1:" in session.error


@pytest.mark.services
def test_camera_dropping_mid_session_reconnects_and_reports_gap(rig_a, use_broker, rig_sim, camera_sim, tenant_a):
    from pantilt.session import run_session

    rig_sim()
    camera_sim(rgb={"drop_after": 8, "down_seconds": 0.3})
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body(duration=2.0))

    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "done"
    manifest = json.loads((Path(settings.MEDIA_ROOT) / session.folder / "manifest.json").read_text())
    rgb = manifest["cameras"][RGB]
    assert rgb["connections"] >= 2
    assert len(rgb["outages"]) >= 1
    assert rgb["sequence_gaps"]
    assert rgb["missing_in_gaps"] == sum(g["missing"] for g in rgb["sequence_gaps"]) >= 3
    assert (
        rgb["saved"] == rgb["received"] == len(list((Path(settings.MEDIA_ROOT) / session.folder / RGB).glob("*.png")))
    )
    assert session.error.startswith("Completed with gaps: ")
    assert f"{RGB}: " in session.error
    assert "frame(s) missing in sequence gaps" in session.error
    assert SWIR not in session.error  # the other camera was fine
    assert session.frames[RGB]["outages"] == len(rgb["outages"])


@pytest.mark.services
def test_malformed_frames_are_counted_and_skipped(rig_a, use_broker, rig_sim, camera_sim, tenant_a):
    from pantilt.session import run_session

    rig_sim()
    camera_sim(swir={"garbage_every": 4})
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body(duration=1.0))

    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "done"
    swir = session.manifest["cameras"][SWIR]
    assert swir["dropped"] == swir["dropped_reasons"]["malformed"] >= 3
    assert swir["saved"] + swir["dropped"] == swir["received"]
    assert len(list((Path(settings.MEDIA_ROOT) / session.folder / SWIR).glob("*.png"))) == swir["saved"]
    assert session.manifest["cameras"][RGB]["dropped"] == 0


@pytest.mark.services
def test_http_api_rig_gets_commands_by_post(rig_a, use_broker, rig_sim, camera_sim, tenant_a):
    from pantilt.session import run_session

    simulator = rig_sim(http=True)
    rig_a.api_url = f"http://127.0.0.1:{simulator.http_port}/command"
    rig_a.save()
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=seed_body(duration=0.3, cameras=[RGB]))

    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "done", session.error
    logs = list(session.commands.order_by("index"))
    assert [(log.transport, log.status) for log in logs] == [("http", "ok"), ("http", "ok")]
    assert logs[0].response == {"status_code": 200, "body": {"status": "ok", "detail": "accepted"}}
    assert simulator.state()["pan_position_deg_x100"] == 4500
    assert list(session.frames) == [RGB]


@pytest.mark.services
def test_running_a_session_twice_does_nothing_the_second_time(rig_a, use_broker, rig_sim, tenant_a):
    from pantilt.session import run_session

    rig_sim()
    body = {"requests": seed_body()["requests"][1:]}  # move only, no recording
    session = CaptureSession.objects.create(tenant=tenant_a, rig=rig_a, request=body)

    run_session(session.pk)
    run_session(session.pk)

    session.refresh_from_db()
    assert session.status == "done"
    assert session.commands.count() == 2
    assert session.folder == ""


def test_broker_restart_mid_move_reconnects_and_completes(rig_a, settings, rig_sim, camera_sim, tenant_a):
    """A private broker (never the shared one) goes down while the rig moves and comes back."""
    import threading

    from pantilt.session import run_session
    from tests.pantilt.brokers import PrivateBroker

    broker = PrivateBroker()
    broker.start()
    try:
        settings.PANTILT_MQTT_URL = f"mqtt://127.0.0.1:{broker.port}"
        simulator = rig_sim(speed=2000, address=broker.address)  # 45° takes ~2.25 s
        camera_sim()
        session = CaptureSession.objects.create(
            tenant=tenant_a, rig=rig_a, request=seed_body(duration=0.5, cameras=[RGB])
        )

        def restart() -> None:
            time.sleep(0.6)
            broker.stop()
            time.sleep(0.8)
            broker.start()

        restarter = threading.Thread(target=restart)
        restarter.start()
        run_session(session.pk)
        restarter.join()
    finally:
        broker.stop()

    session.refresh_from_db()
    assert session.status == "done", session.error
    assert simulator.state()["pan_position_deg_x100"] == 4500
    assert session.manifest["settled_state"]["pan_position_deg_x100"] == 4500
    assert session.frames[RGB]["saved"] >= 3
