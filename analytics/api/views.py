"""Sender feeds: customers, heatmaps and queues (SPEC §3)."""

from __future__ import annotations

from functools import cache

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.api import serializers as s
from analytics.services import apply_feed
from stores.api import docs
from stores.api.ingest import SENDER_PERMISSIONS, records_of, resolve_stores, validate_records

BATCH_NOTE = (
    "One object, or a JSON array of up to 1,000 (validated completely, applied all-or-nothing; the reply is then "
    "an array). 201 when anything was created, 200 when everything was an update."
)


@cache
def _record_representation(serializer_class: type[serializers.ModelSerializer]):
    """One bound serializer per record class, reused: a ModelSerializer builds its fields from the
    model on every instantiation, which cost more than the upsert itself on this hot path.
    ``to_representation`` keeps no state, so sharing it is safe (and gunicorn workers are sync)."""
    return serializer_class().to_representation


class FeedIngestView(APIView):
    """POST one record or an array of up to 1,000; 201 when anything was created, else 200."""

    permission_classes = SENDER_PERMISSIONS
    feed: str
    input_serializer: type[serializers.Serializer]
    record_serializer: type[serializers.ModelSerializer]

    def post(self, request):
        records, batch = records_of(request)
        validated = validate_records(records, self.input_serializer, batch)
        pairs = resolve_stores(request.user, validated, batch)
        results = self.apply(pairs, batch)
        for (store, _), result in zip(pairs, results, strict=True):
            if result.record.store_id == store.pk:
                result.record.store = store  # the reply's "store" code without reading the store again
        created = any(result.created for result in results)
        representation = _record_representation(self.record_serializer)
        body = [representation(result.record) for result in results]
        return Response(body if batch else body[0], status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def apply(self, pairs: list, batch: bool) -> list:
        """Write the validated, store-resolved records; a feed of another app (sales) overrides it."""
        return apply_feed(self.feed, pairs)


@extend_schema(
    request=s.CustomersInputSerializer,
    responses={201: s.CustomersRecordSerializer, 200: s.CustomersRecordSerializer, **docs.WRITE_ERROR_RESPONSES},
    description=BATCH_NOTE,
)
class CustomersView(FeedIngestView):
    feed = "customers"
    input_serializer = s.CustomersInputSerializer
    record_serializer = s.CustomersRecordSerializer


@extend_schema(
    request=s.HeatmapInputSerializer,
    responses={201: s.HeatmapRecordSerializer, 200: s.HeatmapRecordSerializer, **docs.WRITE_ERROR_RESPONSES},
    description=BATCH_NOTE,
)
class HeatmapsView(FeedIngestView):
    feed = "heatmaps"
    input_serializer = s.HeatmapInputSerializer
    record_serializer = s.HeatmapRecordSerializer


@extend_schema(
    request=s.QueueInputSerializer,
    responses={201: s.QueueRecordSerializer, 200: s.QueueRecordSerializer, **docs.WRITE_ERROR_RESPONSES},
    description=BATCH_NOTE,
)
class QueuesView(FeedIngestView):
    feed = "queues"
    input_serializer = s.QueueInputSerializer
    record_serializer = s.QueueRecordSerializer
