"""The till (POS) feed, ``POST /api/analytics/sales``, and its read API ``/api/stores/<id>/sales``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from analytics.api.views import BATCH_NOTE, FeedIngestView
from sales import selectors
from sales.api.serializers import SalesInputSerializer, SalesRecordSerializer
from sales.services import apply_sales, currency_errors
from stores.api import docs
from stores.api.base import StoreScopedAPIView


@extend_schema(
    request=SalesInputSerializer,
    responses={201: SalesRecordSerializer, 200: SalesRecordSerializer, **docs.WRITE_ERROR_RESPONSES},
    description=BATCH_NOTE + " Upsert per (store, hour, till or none); `revenue` is in the store's currency "
    "(a `currency` that differs is 400).",
)
class SalesView(FeedIngestView):
    feed = "sales"
    input_serializer = SalesInputSerializer
    record_serializer = SalesRecordSerializer

    def apply(self, pairs: list, batch: bool) -> list:
        errors = currency_errors(pairs, batch)
        if errors:
            raise ValidationError(errors)
        return apply_sales(pairs)


SALES_ROW = inline_serializer(
    "SalesRow",
    {
        "period": serializers.DateTimeField(),
        "transactions": serializers.IntegerField(),
        "revenue": serializers.CharField(help_text="Decimal as a string, in `currency`."),
        "items": serializers.IntegerField(allow_null=True),
        "visitors": serializers.IntegerField(allow_null=True),
        "conversion": serializers.FloatField(
            allow_null=True, help_text="Percent: transactions / visitors over the hours that have both; null if none."
        ),
        "average_transaction_value": serializers.CharField(allow_null=True),
        "sales_per_visitor": serializers.CharField(allow_null=True),
        "hours_matched": serializers.IntegerField(),
    },
    many=True,
)


@extend_schema(
    parameters=docs.RANGE_PARAMETERS,
    responses={
        200: inline_serializer(
            "SalesReport",
            {
                "store": serializers.IntegerField(),
                "timezone": serializers.CharField(),
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "granularity": serializers.ChoiceField(["hour", "day"]),
                "currency": serializers.CharField(),
                "visitors_source": serializers.ChoiceField(["camera", "sender"]),
                "results": SALES_ROW,
            },
        ),
        **docs.ERROR_RESPONSES,
    },
)
class SalesReportView(StoreScopedAPIView):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=hour|day`` in the store's time zone."""

    def get(self, request, store_id: int):
        store = self.get_store()
        rng = self.get_range(store)
        rows = selectors.sales_report(store, rng)
        return self.report_response(
            store,
            rng,
            [selectors.json_row(row) for row in rows],
            currency=store.currency,
            visitors_source=selectors.visitors_source(store),
        )
