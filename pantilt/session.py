"""Runs one capture session: forward commands → wait until settled → record → save.

Plain functions, called by the Celery task (or the eager-mode thread) with a session id.
Every step updates the session's status (pushed to the browser); any failure ends in
``failed`` with a message that says what happened, never an unfinished row.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from typing import Any

import requests

from pantilt import conf, services, storage
from pantilt.models import CaptureSession, CommandLog, SessionStatus, Transport
from pantilt.mqtt import RigLink, parse_mqtt_url
from pantilt.recorder import record
from pantilt.settle import SettleTimeout, wait_until_settled
from pantilt.validation import PlanError, build_plan
from vislivis import outbound

log = logging.getLogger(__name__)


class SessionFailed(Exception):
    """A failure with a message meant for the operator."""


def run_session(session_id: int) -> None:
    session = services.claim(session_id)
    if session is None:
        return  # gone, or already taken by another run
    link: RigLink | None = None
    try:
        link = _open_link(session)
        _execute(session, link)
    except SessionFailed as exc:
        services.set_status(session, SessionStatus.FAILED, error=str(exc), **_states(link))
    except Exception as exc:  # noqa: BLE001 - a session must end in a final state, whatever broke
        log.exception("Capture session %s crashed", session_id)
        services.set_status(session, SessionStatus.FAILED, error=f"Internal error: {type(exc).__name__}: {exc}")
    finally:
        if link is not None:
            link.stop()


def _states(link: RigLink | None) -> dict[str, Any]:
    if link is None:
        return {}
    return {"rig_states": [{"received_at": s.received_at, **s.state} for s in link.states[-200:]]}


def _open_link(session: CaptureSession) -> RigLink:
    try:
        address = parse_mqtt_url(conf.mqtt_url())
    except ValueError as exc:
        raise SessionFailed(str(exc)) from exc
    rig = session.rig
    # The broker drops an older connection that uses the same client id: two deployments (or two
    # test runs) sharing a broker have sessions with equal primary keys, so the id carries a nonce.
    client_id = f"vislivis-session-{session.pk}-{uuid.uuid4().hex[:8]}"
    link = RigLink(address, rig.state_topic, rig.command_topic, client_id=client_id)
    link.start()
    return link


def _execute(session: CaptureSession, link: RigLink) -> None:
    rig = session.rig
    try:
        # Re-checked against the rig as it is now: its limits or cameras may have changed.
        plan = build_plan(session.request, type(rig).objects.filter(pk=rig.pk))
    except PlanError as exc:
        raise SessionFailed(f"Request no longer valid for this rig: {exc.errors}") from exc

    link.wait_connected(min(2.0, rig.move_timeout_seconds))
    mqtt_logs = _forward(session, plan.entity_commands, link)
    try:
        settled = wait_until_settled(
            link,
            plan.targets,
            rig.position_tolerance,
            rig.zoom_tolerance,
            rig.settle_seconds,
            rig.move_timeout_seconds,
        )
    except SettleTimeout as exc:
        _finish_command_logs(mqtt_logs, link)
        raise SessionFailed(str(exc)) from exc
    _finish_command_logs(mqtt_logs, link)

    folder = storage.session_folder(session.tenant.name, session.tenant_id, session.pk, session.started_at)
    manifest: dict[str, Any] = {
        "session_id": session.pk,
        "tenant": session.tenant.name,
        "device_id": rig.device_id,
        "request": session.request,
        "started_at": session.started_at.isoformat(),
        "settled_state": settled.state,
        "commands": list(CommandLog.objects.filter(session=session).values("index", "transport", "status", "response")),
        "cameras": {},
    }
    frames: dict[str, dict[str, int]] = {}
    if plan.duration_seconds:
        services.set_status(session, SessionStatus.RECORDING, folder=str(folder))
        cameras = {camera.camera_id: camera for camera in rig.cameras.all()}
        spill_dir = storage.absolute(folder) / ".spill"
        recordings = record(
            [(camera_id, cameras[camera_id].ws_url) for camera_id in plan.camera_ids], plan.duration_seconds, spill_dir
        )
        services.set_status(session, SessionStatus.SAVING)
        for recording in recordings:
            section = storage.save_camera(folder, recording)
            section["kind"] = cameras[recording.camera_id].kind
            manifest["cameras"][recording.camera_id] = section
            frames[recording.camera_id] = {
                key: section[key] for key in ("received", "saved", "dropped", "missing_in_gaps")
            } | {"outages": len(section["outages"])}
        shutil.rmtree(spill_dir, ignore_errors=True)
    manifest["rig_states"] = _states(link)["rig_states"]
    manifest["finished_at"] = time.time()
    if plan.duration_seconds:
        storage.write_manifest(folder, manifest)
    services.set_status(
        session,
        SessionStatus.DONE,
        error=_warnings(frames),
        frames=frames,
        folder=str(folder) if plan.duration_seconds else "",
        manifest=_summary(manifest),
        rig_states=manifest["rig_states"],
    )


def _summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as kept in the database: everything but the per-frame lists (those are on disk)."""
    cameras = {
        camera_id: {key: value for key, value in section.items() if key != "frames"}
        for camera_id, section in manifest["cameras"].items()
    }
    return {**manifest, "cameras": cameras}


def _warnings(frames: dict[str, dict[str, int]]) -> str:
    """A done session still says when it is incomplete (outages, gaps, dropped frames)."""
    notes = []
    for camera_id, counts in frames.items():
        parts = []
        if counts["saved"] == 0:
            parts.append("no frames saved")
        if counts["outages"]:
            parts.append(f"{counts['outages']} connection outage(s)")
        if counts["missing_in_gaps"]:
            parts.append(f"{counts['missing_in_gaps']} frame(s) missing in sequence gaps")
        if counts["dropped"]:
            parts.append(f"{counts['dropped']} frame(s) dropped")
        if parts:
            notes.append(f"{camera_id}: {', '.join(parts)}")
    return ("Completed with gaps: " + "; ".join(notes)) if notes else ""


def _forward(session: CaptureSession, commands: list[tuple[int, dict]], link: RigLink) -> list[tuple]:
    """Send entity commands (HTTP when the rig has an API URL, else MQTT); log each one."""
    rig = session.rig
    pending: list[tuple] = []
    for index, command in commands:
        payload = {**command, "command_uid": uuid.uuid4().hex}
        if rig.api_url:
            status, response = _post(rig.api_url, payload)
            CommandLog.objects.create(
                session=session,
                index=index,
                command=payload,
                transport=Transport.HTTP,
                status=status,
                response=response,
            )
            if status != "ok":
                raise SessionFailed(f"Rig API refused command {index} ({command['command_id']}): {response}")
        else:
            info = link.publish_command(payload)
            entry = CommandLog.objects.create(
                session=session,
                index=index,
                command=payload,
                transport=Transport.MQTT,
                status="sent",
                response={"topic": rig.command_topic, "mid": info.mid, "rc": int(info.rc)},
            )
            pending.append((entry, info))
    return pending


def _finish_command_logs(pending: list[tuple], link: RigLink) -> None:
    """Record whether the broker acknowledged each QoS 1 command (its PUBACK arrived)."""
    for entry, info in pending:
        entry.status = "acknowledged" if info.mid in link.acked_mids else "unacknowledged"
        entry.save(update_fields=["status"])


def _post(url: str, payload: dict) -> tuple[str, dict]:
    try:
        response = outbound.post(url, json=payload, timeout=conf.http_timeout_seconds())
    except outbound.OutboundRefused as exc:  # re-checked at send time: DNS may have changed
        return "error", {"error": f"refused: {exc}"}
    except requests.RequestException as exc:
        return "error", {"error": f"{type(exc).__name__}: {exc}"}
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = response.text[:2000]
    return ("ok" if response.ok else "error"), {"status_code": response.status_code, "body": body}
