"""Validation of till (POS) payloads: the same envelope and rules as the other sender feeds."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from analytics.api.serializers import StrictSerializer, _ascii_number_text, _hour, count_field
from sales.models import HourlySales

MAX_REVENUE = Decimal("999999999999.99")  # 14 digits, 2 of them decimals: the column's range


class RevenueField(serializers.DecimalField):
    """A decimal 0 … 999,999,999,999.99 with at most 2 decimal places, as a JSON number or an
    ASCII string (``Decimal`` reads "٣" and "1_000" as numbers; a till total is plain digits)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=Decimal(0), max_value=MAX_REVENUE, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        _ascii_number_text(self, data)
        return super().to_internal_value(data)


class SalesInputSerializer(StrictSerializer):
    transactions = count_field()
    revenue = RevenueField()
    items = count_field(required=False)
    till = serializers.CharField(required=False, allow_blank=True, max_length=100)
    currency = serializers.RegexField(r"^[A-Za-z]{3}\Z", required=False, max_length=3)

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs):
        if attrs["transactions"] == 0 and attrs["revenue"] != 0:
            raise serializers.ValidationError({"revenue": ["Revenue without transactions: send transactions > 0."]})
        return attrs


class SalesRecordSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    timestamp = serializers.SerializerMethodField()

    class Meta:
        model = HourlySales
        fields = ["id", "store", "till", "timestamp", "transactions", "revenue", "items", "currency"]

    def get_timestamp(self, obj) -> str:
        return _hour(obj.hour)
