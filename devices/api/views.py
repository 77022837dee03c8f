"""HTTP endpoints of the devices app: the camera XML push and the store footfall read API."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from devices import conf, selectors
from devices.api import docs
from devices.services import ingest_document
from stores.api.base import StoreScopedAPIView
from stores.models import Store
from vislivis.middleware import request_too_large_response


class FirstRendererNegotiation(BaseContentNegotiation):
    """Answer JSON whatever the camera's ``Accept`` says (firmwares send ``text/xml`` and worse)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def failure(status: int, field: str, reason: str) -> JsonResponse:
    """The firmware-style reply (``code`` other than "0") plus the API's usual ``errors`` shape."""
    return JsonResponse({"code": "1", "message": reason, "errors": {field: [reason]}}, status=status)


def read_limited_body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or ``None`` when it exceeds ``limit`` (also without a Content-Length header)."""
    data = request.read(limit + 1)
    return None if len(data) > limit else data


@extend_schema(**docs.INGEST_SCHEMA)
class XmlIngestView(APIView):
    """``POST /api/devices/xml/<ingest_key>/``: Metrics, RTMetrics and Diags pushes of counting cameras.

    No user authentication: the store's unguessable ingest key in the URL is the credential.
    The body is read raw whatever its content type (cameras send XML as form data, too).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    def post(self, request, ingest_key: str):
        store = Store.objects.filter(ingest_key=ingest_key).only("pk", "inactivity_timeout_minutes").first()
        if store is None:
            return failure(404, "detail", "Not found.")
        limit = conf.max_body_bytes()
        body = read_limited_body(request._request, limit)
        if body is None:
            return request_too_large_response(limit)
        result = ingest_document(
            store,
            body,
            received_at=timezone.now(),
            remote_addr=request.META.get("REMOTE_ADDR"),
            content_type=request.META.get("CONTENT_TYPE", ""),
        )
        if not result.accepted:
            return failure(400, result.field, result.error)
        return JsonResponse({"code": "0", "message": "success", "records": result.records})


def object_type_param(raw: str | None) -> int:
    if raw in (None, ""):
        return 0
    if raw not in ("0", "1", "2"):
        raise ValidationError({"object_type": ["Choose 0 (total), 1 (adults) or 2 (children)."]})
    return int(raw)


@extend_schema(**docs.FOOTFALL_SCHEMA)
class FootfallView(StoreScopedAPIView):
    """``GET /api/stores/<id>/footfall?from&to&granularity=hour|day[&device=<DeviceId>][&object_type=0|1|2]``."""

    def get(self, request, store_id: int):
        store = self.get_store()
        rng = self.get_range(store)
        object_type = object_type_param(request.query_params.get("object_type"))
        device_id = request.query_params.get("device") or None
        if device_id is not None and not selectors.device_exists(store, device_id):
            raise ValidationError({"device": ["No device with this DeviceId in this store."]})
        results = selectors.footfall_series(store, rng, device_id=device_id, object_type=object_type)
        return self.report_response(store, rng, results, device=device_id, object_type=object_type)
