"""HTTP endpoints of the devices app: the camera XML push and the store footfall read API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from devices import conf, selectors
from devices.api import docs
from devices.services import INGEST_KEY_MAX_LENGTH, keep_pushed, parse_pushed, store_of_ingest_key
from stores.api.base import StoreScopedAPIView
from vislivis import throttles
from vislivis.client_address import client_ip
from vislivis.lean_routes import lean_route
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


def _admitted() -> None:
    return None


def ingest_response(
    request: HttpRequest, ingest_key: str, throttle_wait: Callable[[], float | None] = _admitted
) -> HttpResponse:
    """Store one pushed document for the store of ``ingest_key`` and answer as the firmware expects.

    ``throttle_wait``: the push's throttle answer (``PendingHit.wait``), asked after the parse and
    before anything is kept or answered: a throttled push keeps nothing and is a 429 whatever it sent.
    """
    if len(ingest_key) > INGEST_KEY_MAX_LENGTH:
        return failure(404, "detail", "Not found.")
    limit = conf.max_body_bytes()
    body = read_limited_body(request, limit)
    verdict = parse_pushed(ingest_key, body) if body is not None else None
    wait = throttle_wait()
    if wait is not None:
        return throttles.throttled_response(wait)
    if body is None:  # an unknown key stays a 404 whatever it sends
        if store_of_ingest_key(ingest_key) is None:
            return failure(404, "detail", "Not found.")
        return request_too_large_response(limit)
    result = keep_pushed(
        ingest_key,
        body,
        verdict,
        received_at=timezone.now(),
        remote_addr=client_ip(request) or None,
        content_type=request.META.get("CONTENT_TYPE", ""),
    )
    if result is None:
        return failure(404, "detail", "Not found.")
    if not result.accepted:
        return failure(400, result.field, result.error)
    return accepted(result.records)


# The firmware's success reply, as ``JsonResponse`` would encode it: formatted in place (~4 µs)
# rather than through json.dumps and JsonResponse (~13 µs), on the most frequent request there is.
_ACCEPTED = '{"code": "0", "message": "success", "records": %d}'


def accepted(records: int) -> HttpResponse:
    """``{"code": "0", "message": "success", "records": N}`` (the same bytes as JsonResponse's)."""
    return HttpResponse(_ACCEPTED % records, content_type="application/json")


@extend_schema(**docs.INGEST_SCHEMA)
class XmlIngestView(APIView):
    """``POST /api/devices/xml/<ingest_key>/``: Metrics, RTMetrics and Diags pushes of counting cameras.

    No user authentication: the store's unguessable ingest key in the URL is the credential.
    The body is read raw whatever its content type (cameras send XML as form data, too).
    The URL routes POST to ``xml_ingest`` below; this class documents the endpoint and answers
    the other methods (405, OPTIONS) the way every API view does.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    def post(self, request, ingest_key: str):
        return ingest_response(request._request, ingest_key)


_xml_ingest_api_view = XmlIngestView.as_view()


@lean_route("POST")
@csrf_exempt
def xml_ingest(request: HttpRequest, ingest_key: str) -> HttpResponse:
    """The camera push without DRF's request wrapping, negotiation, authentication and permission
    loop: on an unauthenticated ingest-key endpoint they bought nothing and cost a good part of
    each push. The ingest-key throttle is called directly; replies are the same as the API view's.
    A POST is answered by ``vislivis.lean_routes`` past the browser middleware (sessions, locale,
    CSRF, auth, messages); other methods go through the whole stack to the API view."""
    if request.method != "POST":
        return _xml_ingest_api_view(request, ingest_key=ingest_key)
    counted = throttles.send_ingest_key_hit(ingest_key)  # answered while the body is parsed
    try:
        return ingest_response(request, ingest_key, counted.wait)
    finally:
        counted.close()


# drf-spectacular lists URL callbacks that carry their API view class (as ``as_view()`` sets):
# the schema describes XmlIngestView for the route that serves POST with the lean function.
xml_ingest.cls = XmlIngestView
xml_ingest.initkwargs = {}


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
        staff = object_type == 0 and store.subtract_staff
        return self.report_response(
            store, rng, results, device=device_id, object_type=object_type, staff_subtracted=staff
        )


@extend_schema(**docs.DEMOGRAPHICS_SCHEMA)
class DemographicsView(StoreScopedAPIView):
    """``GET /api/stores/<id>/demographics?from&to&granularity=hour|day[&device=<DeviceId>]``: the
    senders' and the cameras' demographics side by side, each under its own source label."""

    def get(self, request, store_id: int):
        store = self.get_store()
        rng = self.get_range(store)
        device_id = request.query_params.get("device") or None
        if device_id is not None and not selectors.device_exists(store, device_id):
            raise ValidationError({"device": ["No device with this DeviceId in this store."]})
        results = selectors.demographics_report(store, rng, device_id=device_id)
        return self.report_response(store, rng, results, device=device_id, staff_subtracted=store.subtract_staff)
