"""The shared shape of every sender endpoint: one object or a batch, validated, then applied.

A batch is validated completely before anything is written and applied in one transaction,
so a single bad record rejects the whole request with every error listed.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from stores.api.errors import flatten_errors
from stores.api.permissions import CanSendData
from stores.models import Store
from stores.services import StoreResolutionError, resolve_store_for_writer

MAX_BATCH = 1000


def records_of(request: Request) -> tuple[list[Any], bool]:
    """The request's records and whether it was a batch (a JSON array)."""
    data = request.data
    if isinstance(data, list):
        if not data:
            raise ValidationError({"non_field_errors": ["An empty batch has nothing to store."]})
        if len(data) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"A batch may hold at most {MAX_BATCH} records."]})
        return data, True
    if isinstance(data, dict):
        return [data], False
    raise ValidationError({"non_field_errors": ["Expected a JSON object or an array of objects."]})


def validate_records(records: list[Any], serializer_class: type[serializers.Serializer], batch: bool) -> list[dict]:
    validated, errors = [], {}
    for index, record in enumerate(records):
        serializer = serializer_class(data=record)
        if serializer.is_valid():
            validated.append(serializer.validated_data)
        else:
            flat = flatten_errors(serializer.errors)
            errors.update({f"{index}.{k}" if batch else k: v for k, v in flat.items()})
    if errors:
        raise ValidationError(errors)
    return validated


def resolve_stores(user, records: list[dict], batch: bool) -> list[tuple[Store, dict]]:
    """Pair each record with its store; a store of another tenant is 404 and reveals nothing."""
    by_code: dict[str | None, Store] = {}
    pairs = []
    for index, record in enumerate(records):
        code = record.get("store")
        if code not in by_code:
            try:
                by_code[code] = resolve_store_for_writer(user, code)
            except StoreResolutionError as exc:
                if exc.status == status.HTTP_404_NOT_FOUND:
                    raise NotFound(exc.message) from None
                raise ValidationError({f"{index}.{exc.field}" if batch else exc.field: [exc.message]}) from None
        pairs.append((by_code[code], record))
    return pairs


SENDER_PERMISSIONS = [IsAuthenticated, CanSendData]
