"""OpenAPI descriptions shared by the API views: response shapes the schema cannot infer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, inline_serializer
from rest_framework import serializers

ERRORS = inline_serializer(
    "Errors",
    {"errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))},
)
ERROR_RESPONSES = {
    400: OpenApiResponse(ERRORS, description="Invalid input: field (or index.field) → reasons."),
    401: OpenApiResponse(ERRORS, description="Missing or wrong credentials."),
    404: OpenApiResponse(ERRORS, description="Not found, or not yours (the two look the same)."),
}
WRITE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    403: OpenApiResponse(ERRORS, description="A viewer account may read but not send."),
    413: OpenApiResponse(ERRORS, description="Body over 1 MiB."),
}
RANGE_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First local date (YYYY-MM-DD, store time zone); default today."
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last local date, inclusive; default = from."),
    OpenApiParameter("granularity", str, enum=["hour", "day"], description="Bucket size; default hour."),
]


def report_response(name: str, row: serializers.Serializer) -> serializers.Serializer:
    """``{"store", "timezone", "from", "to", "granularity", "results": [row]}``."""
    return inline_serializer(
        name,
        {
            "store": serializers.IntegerField(),
            "timezone": serializers.CharField(),
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "granularity": serializers.ChoiceField(["hour", "day"]),
            "results": row,
        },
    )


HEARTBEAT_RESPONSE = inline_serializer(
    "HeartbeatReply",
    {"status": serializers.CharField(), "store": serializers.CharField(), "received_at": serializers.DateTimeField()},
)
HEALTH_RESPONSE = inline_serializer(
    "StoreHealth",
    {
        "store": serializers.IntegerField(),
        "store_ai": inline_serializer(
            "StoreAiStatus",
            {"online": serializers.BooleanField(), "last_heartbeat": serializers.DateTimeField(allow_null=True)},
        ),
        "devices": serializers.ListField(child=serializers.DictField()),
    },
)
