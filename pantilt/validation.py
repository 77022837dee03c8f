"""Checks a process-request body against the caller's rigs (SPEC §5); nothing is queued on error.

Errors are keyed by the request's index and field (``requests.1.args.pan_position_deg_x100``)
so a client posting the seed's three-command list sees exactly which entry is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pantilt import conf
from pantilt.models import Rig

MAX_REQUESTS = 20
RECORD = "start_recording_command"
TARGETS = ("camera_device", "entity")

# command_id → (argument, which limits apply); the argument is also the rig state key it drives.
ENTITY_COMMANDS: dict[str, tuple[str, str]] = {
    "set_pan_position_degree": ("pan_position_deg_x100", "pan"),
    "set_tilt_position_degree": ("tilt_position_deg_x100", "tilt"),
    "set_rgb_zoom": ("rgb_zoom", "zoom"),
    "set_swir_zoom": ("swir_zoom", "zoom"),
}
COMMAND_IDS = (RECORD, *ENTITY_COMMANDS)


class PlanError(Exception):
    """Invalid request; ``errors`` maps ``requests.N.field`` to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class CapturePlan:
    """What a valid request asks of one rig."""

    rig: Rig
    entity_commands: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)
    duration_seconds: float | None = None
    camera_ids: list[str] = field(default_factory=list)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _limits(rig: Rig, kind: str) -> tuple[int, int]:
    return {
        "pan": (rig.pan_min, rig.pan_max),
        "tilt": (rig.tilt_min, rig.tilt_max),
        "zoom": (rig.zoom_min, rig.zoom_max),
    }[kind]


def build_plan(body: Any, rigs) -> CapturePlan:
    """Validate ``body`` with ``rigs`` (a queryset already scoped to the caller) → a plan."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(body, dict):
        raise PlanError({"non_field_errors": ["Expected a JSON object with a 'requests' list."]})
    items = body.get("requests")
    if items is None:
        raise PlanError({"requests": ["This field is required."]})
    if not isinstance(items, list) or not items:
        raise PlanError({"requests": ["Expected a non-empty list of request objects."]})
    if len(items) > MAX_REQUESTS:
        raise PlanError({"requests": [f"At most {MAX_REQUESTS} requests per call."]})

    rig: Rig | None = None
    plan_device: str | None = None
    plan = CapturePlan(rig=None)  # type: ignore[arg-type]  # filled below once the rig is known
    for index, item in enumerate(items):
        prefix = f"requests.{index}"
        if not isinstance(item, dict):
            add(prefix, "Expected an object with target_id, device_id, command_id and args.")
            continue
        target_id, device_id, command_id = item.get("target_id"), item.get("device_id"), item.get("command_id")
        args = item.get("args", {})
        if target_id not in TARGETS:
            add(f"{prefix}.target_id", f"Must be one of: {', '.join(TARGETS)}.")
        if not isinstance(device_id, str) or not device_id:
            add(f"{prefix}.device_id", "This field is required.")
            continue
        if plan_device is None:
            plan_device = device_id
            rig = rigs.filter(device_id=device_id).prefetch_related("cameras").first()
            if rig is None:
                add(f"{prefix}.device_id", f"Unknown device {device_id!r}.")
        elif device_id != plan_device:
            add(f"{prefix}.device_id", "All requests of one call must name the same device.")
            continue
        if command_id not in COMMAND_IDS:
            add(f"{prefix}.command_id", f"Must be one of: {', '.join(COMMAND_IDS)}.")
            continue
        expected_target = "camera_device" if command_id == RECORD else "entity"
        if target_id in TARGETS and target_id != expected_target:
            add(f"{prefix}.target_id", f"{command_id} is sent to target {expected_target!r}.")
        if not isinstance(args, dict):
            add(f"{prefix}.args", "Expected an object.")
            continue
        if rig is None:
            continue  # unknown device: its limits and cameras cannot be checked
        if command_id == RECORD:
            if plan.duration_seconds is not None:
                add(f"{prefix}.command_id", f"Only one {RECORD} per call.")
                continue
            _check_recording(rig, args, prefix, add, plan)
        else:
            _check_entity(rig, command_id, args, prefix, add, plan, index, item)

    if errors:
        raise PlanError(errors)
    plan.rig = rig  # type: ignore[assignment]
    return plan


def _check_recording(rig: Rig, args: dict, prefix: str, add, plan: CapturePlan) -> None:
    duration = args.get("duration_second")
    limit = conf.max_duration_seconds()
    key = f"{prefix}.args.duration_second"
    if duration is None:
        add(key, "This field is required.")
    elif isinstance(duration, bool) or not isinstance(duration, (int, float)):
        add(key, "A number of seconds is required.")
    elif not 0 < duration <= limit:
        add(key, f"Must be greater than 0 and at most {limit:g}.")
    camera_ids = args.get("camera_ids")
    key = f"{prefix}.args.camera_ids"
    known = {camera.camera_id for camera in rig.cameras.all()}
    if not isinstance(camera_ids, list) or not camera_ids:
        add(key, "A non-empty list of camera ids is required.")
        return
    seen: set[str] = set()
    for position, camera_id in enumerate(camera_ids):
        if not isinstance(camera_id, str) or camera_id not in known:
            add(f"{key}.{position}", f"Unknown camera {camera_id!r} on device {rig.device_id!r}.")
        elif camera_id in seen:
            add(f"{key}.{position}", f"Camera {camera_id!r} is listed twice.")
        else:
            seen.add(camera_id)
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        plan.duration_seconds = float(duration)
    plan.camera_ids = [c for c in camera_ids if isinstance(c, str) and c in seen]


def _check_entity(rig: Rig, command_id: str, args: dict, prefix: str, add, plan, index: int, item: dict) -> None:
    argument, kind = ENTITY_COMMANDS[command_id]
    key = f"{prefix}.args.{argument}"
    value = args.get(argument)
    low, high = _limits(rig, kind)
    if value is None:
        add(key, "This field is required.")
    elif not _is_int(value):
        add(key, "An integer is required (degrees × 100 for positions).")
    elif not low <= value <= high:
        add(key, f"Out of range: the rig accepts {low} to {high}.")
    else:
        plan.targets[argument] = value
        plan.entity_commands.append((index, item))
