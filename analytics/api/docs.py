"""OpenAPI shapes of the analytics read API rows (documentation only)."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from analytics.models import CUSTOMER_FIELDS

CUSTOMERS_ROW = inline_serializer(
    "CustomersRow",
    {
        "period": serializers.DateTimeField(),
        **{name: serializers.IntegerField(allow_null=True) for name in CUSTOMER_FIELDS},
    },
    many=True,
)
HEATMAPS_ROW = inline_serializer(
    "HeatmapsRow",
    {
        "period": serializers.DateTimeField(),
        "zone": serializers.CharField(),
        "visitor_count": serializers.IntegerField(),
        "intensity": serializers.FloatField(allow_null=True),
    },
    many=True,
)
QUEUES_ROW = inline_serializer(
    "QueuesRow",
    {
        "period": serializers.DateTimeField(),
        "cashier_id": serializers.CharField(),
        "total_customers": serializers.IntegerField(),
        "wait_time": serializers.FloatField(allow_null=True),
    },
    many=True,
)
