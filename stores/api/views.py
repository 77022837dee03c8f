"""Stores API: tokens, heartbeat, setup, the store list and store health."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from stores.api import docs
from stores.api.authentication import BodyCredentialsAuthentication, authenticate_credentials_cached
from stores.api.base import StoreScopedAPIView
from stores.api.ingest import SENDER_PERMISSIONS
from stores.api.serializers import CameraSerializer, SetupInputSerializer, StoreSerializer
from stores.events import publish_store_event
from stores.models import Store
from stores.selectors import store_health
from stores.services import StoreResolutionError, record_heartbeat, resolve_store_for_writer
from stores.setup import apply_setup
from vislivis.client_address import client_ip


def writer_store(user, code) -> Store:
    try:
        return resolve_store_for_writer(user, code)
    except StoreResolutionError as exc:
        if exc.status == status.HTTP_404_NOT_FOUND:
            raise NotFound(exc.message) from None
        raise ValidationError({exc.field: [exc.message]}) from None


MAX_JSON_DEPTH = 20


def check_storable_json(value, path: str = "", depth: int = 0) -> None:
    """Refuse what PostgreSQL's jsonb cannot hold (NUL characters) and absurd nesting."""
    if depth > MAX_JSON_DEPTH:
        raise ValidationError({path or "non_field_errors": ["Nested too deeply."]})
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError({path or "non_field_errors": ["Text may not contain NUL characters."]})
    if isinstance(value, dict):
        for key, item in value.items():
            check_storable_json(key, path or "non_field_errors", depth + 1)
            check_storable_json(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable_json(item, f"{path}.{index}" if path else str(index), depth + 1)


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class ObtainTokenView(APIView):
    """``POST /api/auth/token`` {username, password} → {token}; the token never expires."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: docs.ERROR_RESPONSES[400],
            401: docs.ERROR_RESPONSES[401],
        },
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate_credentials_cached(
            data.validated_data["username"], data.validated_data["password"], request
        )
        if user is None:
            return Response(
                {"errors": {"detail": ["Invalid username or password."]}}, status=status.HTTP_401_UNAUTHORIZED
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@extend_schema(
    request={"application/json": OpenApiTypes.OBJECT},
    responses={200: docs.HEARTBEAT_RESPONSE, **docs.WRITE_ERROR_RESPONSES},
    description="Empty body or any JSON object (kept as the store's last heartbeat payload).",
)
class HeartbeatView(APIView):
    """``POST /api/health/heartbeat``: keeps the store's "Mağaza AI" indicator green."""

    permission_classes = SENDER_PERMISSIONS

    def post(self, request):
        payload = request.data
        if not isinstance(payload, dict):
            raise ValidationError({"non_field_errors": ["Expected an empty body or a JSON object."]})
        check_storable_json(payload)
        store = writer_store(request.user, payload.get("store"))
        heartbeat = record_heartbeat(store, payload=dict(payload), remote_addr=client_ip(request) or None)
        publish_store_event(store.pk, "heartbeat", {"received_at": heartbeat.received_at.isoformat()})
        return Response({"status": "ok", "store": store.code, "received_at": heartbeat.received_at.isoformat()})


SETUP_REPLY = inline_serializer(
    "SetupReply",
    {"store": serializers.CharField(), "site_name": serializers.CharField(), "cameras": CameraSerializer(many=True)},
)


@extend_schema(
    request=SetupInputSerializer,
    responses={200: SETUP_REPLY, 201: SETUP_REPLY, **docs.WRITE_ERROR_RESPONSES},
    description="201 when a camera was created, 200 otherwise (same body). Body credentials accepted.",
)
class SetupView(APIView):
    """``POST /api/settings/setup``: site name and camera list; credentials may sit in the body."""

    authentication_classes = [*api_settings.DEFAULT_AUTHENTICATION_CLASSES, BodyCredentialsAuthentication]
    permission_classes = SENDER_PERMISSIONS

    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
        data = SetupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = writer_store(request.user, data.validated_data.get("store"))
        result = apply_setup(store, data.validated_data["site_name"], data.validated_data["cameras"])
        body = {
            "store": store.code,
            "site_name": store.site_name,
            "cameras": CameraSerializer(store.cameras.all(), many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


@extend_schema(responses={200: inline_serializer("StoreList", {"results": StoreSerializer(many=True)})})
class StoreListView(APIView):
    """``GET /api/stores/``: the stores the caller may see."""

    def get(self, request):
        stores = Store.objects.visible_to(request.user).select_related("tenant")
        return Response({"results": StoreSerializer(stores, many=True).data})


@extend_schema(responses={200: docs.HEALTH_RESPONSE, **docs.ERROR_RESPONSES})
class StoreHealthView(StoreScopedAPIView):
    """``GET /api/stores/<id>/health``: store AI heartbeat and device status."""

    def get(self, request, store_id: int):
        return Response(store_health(self.get_store(), now=timezone.now()))
