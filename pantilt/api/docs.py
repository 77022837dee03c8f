"""OpenAPI shapes of the pan-tilt endpoints (documentation only)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, inline_serializer
from rest_framework import serializers

from stores.api import docs as common

PROCESS_REQUEST_SCHEMA = {
    "request": inline_serializer(
        "ProcessRequest",
        {
            "requests": inline_serializer(
                "ProcessRequestItem",
                {
                    "target_id": serializers.ChoiceField(["camera_device", "entity"]),
                    "device_id": serializers.CharField(),
                    "command_id": serializers.CharField(),
                    "args": serializers.DictField(),
                },
                many=True,
            )
        },
    ),
    "responses": {
        202: inline_serializer(
            "SessionQueued", {"session_id": serializers.IntegerField(), "status": serializers.CharField()}
        ),
        **common.WRITE_ERROR_RESPONSES,
    },
    "description": "Validated completely (errors keyed requests.N.field); nothing is queued on any error.",
}
SESSION_SCHEMA = {"responses": {200: OpenApiTypes.OBJECT, **common.ERROR_RESPONSES}}
