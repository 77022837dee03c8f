"""Validation of sender payloads (SPEC §3); the same rules the sender client applies."""

from __future__ import annotations

import math

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.models import CUSTOMER_FIELDS, DEMOGRAPHIC_FIELDS, HourlyCustomers, HourlyQueue, HourlyZoneHeatmap
from analytics.timestamps import TimestampError, parse_hour

MAX_COUNT = 2**31 - 1
MAX_SECONDS = 10**7
# Keys every sender payload may carry besides its own fields.
ENVELOPE_KEYS = {"store", "timestamp", "username", "password"}


def _ascii_number_text(field: serializers.Field, data) -> None:
    """Python's int()/float() read "٣", "３" or "1_000" as numbers; a count is written in ASCII."""
    if isinstance(data, str) and not (data.isascii() and "_" not in data):
        field.fail("invalid")


class CountField(serializers.IntegerField):
    """An integer 0 … 2³¹−1, as a JSON number or a string of ASCII digits."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_COUNT, **kwargs)

    def to_internal_value(self, data):
        _ascii_number_text(self, data)
        return super().to_internal_value(data)


def count_field(**kwargs) -> serializers.IntegerField:
    return CountField(**kwargs)


class FiniteFloatField(serializers.FloatField):
    """A number ≥ 0 that is finite (JSON has no NaN, but strings like "inf" would parse)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_SECONDS, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        _ascii_number_text(self, data)
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


@extend_schema_field(
    {"type": "string", "example": "2026-02-16T14:00", "description": "UTC hour or any ISO 8601 date-time"}
)
class HourField(serializers.Field):
    """``timestamp``: validated and truncated to the UTC hour; absent means now."""

    def to_internal_value(self, data):
        try:
            return parse_hour(data)
        except TimestampError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value.isoformat().replace("+00:00", "Z")


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a typo (``enterd``) is a 400, not silently lost data."""

    store = serializers.CharField(required=False, max_length=64)
    timestamp = HourField(required=False)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = set(data) - set(self.fields) - ENVELOPE_KEYS
        if unknown:
            raise serializers.ValidationError({key: ["Unknown field."] for key in sorted(unknown)})
        values = super().to_internal_value(data)
        if "timestamp" not in values:
            values["timestamp"] = parse_hour(None)
        return values


class CustomersInputSerializer(StrictSerializer):
    camera_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    entered = count_field(required=False)
    exited = count_field(required=False)
    customers_inside = count_field(required=False)
    male_count = count_field(required=False)
    female_count = count_field(required=False)
    age_18_30 = count_field(required=False)
    age_30_50 = count_field(required=False)
    age_50_plus = count_field(required=False)

    def validate(self, attrs):
        has_flow = "entered" in attrs or "exited" in attrs
        if has_flow and not (attrs.get("entered", 0) > 0 or attrs.get("exited", 0) > 0):
            raise serializers.ValidationError(
                {"entered": ["At least one of entered or exited must be greater than 0."]}
            )
        if not has_flow and not any(field in attrs for field in DEMOGRAPHIC_FIELDS):
            raise serializers.ValidationError(
                {"entered": ["Send entered/exited, or at least one demographic field (male_count, age_18_30, ...)."]}
            )
        return attrs


class HeatmapInputSerializer(StrictSerializer):
    zone = serializers.CharField(max_length=120)
    visitor_count = count_field()
    intensity = FiniteFloatField()
    camera_id = serializers.CharField(required=False, allow_blank=True, max_length=100)


class QueueInputSerializer(StrictSerializer):
    cashier_id = serializers.CharField(max_length=120)
    total_customers = count_field()
    wait_time = FiniteFloatField()


def _hour(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


class CustomersRecordSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    timestamp = serializers.SerializerMethodField()

    class Meta:
        model = HourlyCustomers
        fields = ["id", "store", "camera_id", "timestamp", *CUSTOMER_FIELDS]

    def get_timestamp(self, obj) -> str:
        return _hour(obj.hour)


class HeatmapRecordSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    zone = serializers.CharField(source="zone.name")
    timestamp = serializers.SerializerMethodField()

    class Meta:
        model = HourlyZoneHeatmap
        fields = ["id", "store", "zone", "camera_id", "timestamp", "visitor_count", "intensity"]

    def get_timestamp(self, obj) -> str:
        return _hour(obj.hour)


class QueueRecordSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    cashier_id = serializers.CharField(source="cashier.name")
    timestamp = serializers.SerializerMethodField()

    class Meta:
        model = HourlyQueue
        fields = ["id", "store", "cashier_id", "timestamp", "total_customers", "wait_time"]

    def get_timestamp(self, obj) -> str:
        return _hour(obj.hour)
