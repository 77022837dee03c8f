"""One error shape for the whole API: ``{"errors": {field: [messages]}}``, never a 500."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

log = logging.getLogger("vislivis.api")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"cameras.1.type": ["..."]}`` pairs."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                # An error about the whole nested value belongs to the value's own field.
                flat.update(flatten_errors(value, prefix or "non_field_errors"))
            else:
                flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and detail and all(not isinstance(v, (dict, list)) for v in detail):
        flat[prefix or "non_field_errors"] = [str(v) for v in detail]
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def error_response(errors: dict[str, list[str]], status_code: int = 400) -> Response:
    return Response({"errors": errors}, status=status_code)


def api_exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # Not a bug but an outage: DRF re-raises it, and DatabaseUnavailableMiddleware answers 503.
        return None
    if isinstance(exc, RequestDataTooBig):
        return error_response(
            {"body": [f"Request body is larger than the {settings.MAX_REQUEST_BODY_BYTES} byte limit."]},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, exceptions.ValidationError):
        return error_response(flatten_errors(exc.detail))
    if isinstance(exc, Http404):
        return error_response({"detail": ["Not found."]}, status.HTTP_404_NOT_FOUND)
    response = exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        field = "body" if isinstance(exc, (exceptions.ParseError, exceptions.UnsupportedMediaType)) else "detail"
        response.data = {"errors": {field: [str(detail)]}}
        return response
    # Anything else is a bug; the client still gets a clean answer and the log gets the trace.
    log.exception("Unhandled API error in %s", context.get("view").__class__.__name__)
    return error_response({"detail": ["Internal error; it has been logged."]}, status.HTTP_500_INTERNAL_SERVER_ERROR)
