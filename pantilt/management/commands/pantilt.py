"""Operator CLI for rigs: ``manage.py pantilt add-rig ...`` prints the rig as JSON."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pantilt.rigs import add_rig, infer_kind, rig_as_dict
from stores.models import Tenant


def parse_camera(text: str) -> tuple[str, str]:
    camera_id, sep, url = text.partition("=")
    if not sep or not camera_id or not url:
        raise CommandError(f"--camera {text!r}: expected CAMERA_ID=ws://host:port/path")
    return camera_id, url


class Command(BaseCommand):
    help = "Manage pan-tilt rigs."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-rig", help="Create or update a rig and its cameras; prints it as JSON.")
        add.add_argument("--tenant", required=True)
        add.add_argument("--device-id", required=True)
        add.add_argument("--api-url", default="")
        add.add_argument("--mqtt-prefix", default="pantilt")
        add.add_argument("--camera", action="append", default=[], help="CAMERA_ID=ws://host:port/path; repeatable.")
        add.add_argument(
            "--camera-kind",
            choices=["rgb", "swir"],
            default=None,
            help="Kind of every --camera (default: inferred from the id containing 'swir' or 'rgb').",
        )

    def handle(self, *args, **options) -> None:
        tenant = Tenant.objects.filter(name=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant named {options['tenant']!r} (create it with manage.py provision).")
        cameras = []
        for text in options["camera"]:
            camera_id, url = parse_camera(text)
            kind = options["camera_kind"] or infer_kind(camera_id)
            if kind is None:
                raise CommandError(f"Cannot tell the kind of {camera_id!r}: pass --camera-kind rgb|swir.")
            cameras.append((camera_id, kind, url))
        try:
            rig = add_rig(tenant, options["device_id"], options["api_url"], options["mqtt_prefix"], cameras)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise CommandError(f"Invalid rig: {detail}") from exc
        self.stdout.write(json.dumps(rig_as_dict(rig), sort_keys=True))
