"""OpenAPI shapes of the device endpoints (documentation only)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, inline_serializer
from rest_framework import serializers

from stores.api import docs as common

INGEST_REPLY = inline_serializer(
    "XmlIngestReply",
    {"code": serializers.CharField(), "message": serializers.CharField(), "records": serializers.IntegerField()},
)
INGEST_FAILURE = inline_serializer(
    "XmlIngestFailure",
    {
        "code": serializers.CharField(required=False),
        "message": serializers.CharField(required=False),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
INGEST_SCHEMA = {
    "request": {"application/xml": OpenApiTypes.STR, "text/xml": OpenApiTypes.STR},
    "responses": {
        200: INGEST_REPLY,
        400: OpenApiResponse(INGEST_FAILURE, description="Malformed or hostile XML; nothing stored."),
        404: OpenApiResponse(INGEST_FAILURE, description="Unknown ingest key; nothing created."),
        413: OpenApiResponse(common.ERRORS, description="Body over 1 MiB."),
        429: OpenApiResponse(
            common.ERRORS, description="Too many pushes for this ingest key; Retry-After says when to retry."
        ),
    },
    "auth": [],
    "description": "Metrics, RTMetrics or Diags document (root element decides); any content type.",
}
FOOTFALL_ROW = inline_serializer(
    "FootfallRow",
    {
        "period": serializers.DateTimeField(),
        "enters": serializers.IntegerField(),
        "exits": serializers.IntegerField(),
        "passings": serializers.IntegerField(),
        "returns": serializers.IntegerField(),
    },
    many=True,
)
FOOTFALL_SCHEMA = {
    "parameters": [
        *common.RANGE_PARAMETERS,
        OpenApiParameter("device", str, description="Only this camera (its DeviceId)."),
        OpenApiParameter("object_type", int, enum=[0, 1, 2], description="0 total (default), 1 adults, 2 children."),
    ],
    "responses": {200: common.report_response("FootfallReport", FOOTFALL_ROW), **common.ERROR_RESPONSES},
}

SENDER_DEMOGRAPHICS = inline_serializer(
    "SenderDemographics",
    {
        name: serializers.IntegerField(allow_null=True)
        for name in ("male_count", "female_count", "age_18_30", "age_30_50", "age_50_plus")
    },
    allow_null=True,
)
CAMERA_DEMOGRAPHICS = inline_serializer(
    "CameraDemographics",
    {
        name: serializers.IntegerField()
        for name in (
            "male",
            "female",
            "unknown_gender",
            "age_under_10",
            "age_10_16",
            "age_17_30",
            "age_31_45",
            "age_46_60",
            "age_over_60",
            "unknown_age",
            "work_card",
        )
    },
    allow_null=True,
)
DEMOGRAPHICS_ROW = inline_serializer(
    "DemographicsRow",
    {"period": serializers.DateTimeField(), "sender": SENDER_DEMOGRAPHICS, "camera": CAMERA_DEMOGRAPHICS},
    many=True,
)
DEMOGRAPHICS_SCHEMA = {
    "parameters": [
        *common.RANGE_PARAMETERS,
        OpenApiParameter("device", str, description="Only this camera (its DeviceId); sender figures are then null."),
    ],
    "responses": {200: common.report_response("DemographicsReport", DEMOGRAPHICS_ROW), **common.ERROR_RESPONSES},
    "description": "Sender (AI) and camera (HX-CCD21 V2.1 ObjectType 3) demographics per period, each source "
    "under its own key with its own age bands; `work_card` counts people wearing a staff work card.",
}
