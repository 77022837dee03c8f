"""Serializers of the stores API: setup input, store and camera output."""

from __future__ import annotations

from urllib.parse import urlsplit

from rest_framework import serializers

from stores.models import Camera, Store
from stores.setup import CameraSpec, camera_type_from_label
from stores.snapshots import SnapshotError, decode_snapshot

RTSP_SCHEMES = {"rtsp", "rtsps", "http", "https"}


class CameraInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    type = serializers.CharField(max_length=40)
    rtsp = serializers.CharField(max_length=500, allow_blank=True)
    snapshot = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=True)

    def validate_type(self, value: str) -> str:
        kind = camera_type_from_label(value)
        if kind is None:
            raise serializers.ValidationError("Use one of: Kişi Sayım, people_count, Isı Haritası, heatmap, queue.")
        return kind

    def validate_rtsp(self, value: str) -> str:
        if value:
            try:
                parts = urlsplit(value)
            except ValueError:
                raise serializers.ValidationError("Not a valid stream address.") from None
            if parts.scheme not in RTSP_SCHEMES or not parts.hostname:
                raise serializers.ValidationError("Must look like rtsp://host/path.")
        return value

    def validate_snapshot(self, value):
        if not value:
            return None
        try:
            return decode_snapshot(value)
        except SnapshotError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return CameraSpec(values["name"], values["type"], values["rtsp"], values.get("snapshot"))


class SetupInputSerializer(serializers.Serializer):
    site_name = serializers.CharField(max_length=200)
    cameras = CameraInputSerializer(many=True, max_length=200)
    store = serializers.CharField(required=False, max_length=64)

    def validate_cameras(self, specs):
        names = [spec.name for spec in specs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise serializers.ValidationError(f"Camera names must be unique; repeated: {', '.join(duplicates)}.")
        return specs


class CameraSerializer(serializers.ModelSerializer):
    rtsp = serializers.CharField(source="rtsp_masked")
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = ["id", "name", "type", "rtsp", "active", "snapshot", "updated_at"]

    def get_snapshot(self, camera) -> str | None:
        return camera.snapshot.url if camera.snapshot else None


class StoreSerializer(serializers.ModelSerializer):
    tenant = serializers.CharField(source="tenant.name")

    class Meta:
        model = Store
        fields = ["id", "code", "name", "tenant", "timezone", "site_name", "inactivity_timeout_minutes"]
