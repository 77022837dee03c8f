"""Request-level guards that must run before any view reads the body or the query string,
and the one place where a database outage becomes an honest 503."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import LimitedStream
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

log = logging.getLogger("vislivis.request")

API_PREFIXES = ("/api/", "/process-request")
# How long a client should wait before retrying when the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)
_READ_CHUNK = 64 * 1024


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def error_json(errors: dict[str, list[str]], status: int) -> JsonResponse:
    """The API's one error shape, for answers given before DRF is reached."""
    return JsonResponse({"errors": errors}, status=status)


def request_too_large_response(limit: int) -> JsonResponse:
    """The one 413 body every endpoint answers with."""
    return error_json({"body": [f"Request body is larger than the {limit} byte limit."]}, 413)


class BodySizeLimitMiddleware:
    """Every API body is measured against ``MAX_REQUEST_BODY_BYTES`` before a view reads it.

    A declared Content-Length over the limit is a 413 at once. A body without one (HTTP/1.1
    ``Transfer-Encoding: chunked``) would otherwise be read as empty: DRF takes a missing
    Content-Length for "no body" and Django's WSGI stream is limited to 0 bytes. Such a body is
    read here — at most one byte past the limit — from the server's de-chunked stream (gunicorn
    marks it ``wsgi.input_terminated``; an ASGI server hands the whole body over), and is then
    given to the view as if it had been sent with its length. A server that cannot say where
    the body ends (wsgiref, Django's runserver) leaves no way to measure it: 411.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(declared or 0)
        except ValueError:
            return error_json({"body": ["Invalid Content-Length header."]}, 400)
        if not is_api_path(request.path):
            return self.get_response(request)
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length < 0:
            return error_json({"body": ["Invalid Content-Length header."]}, 400)
        if length > limit:
            return request_too_large_response(limit)
        if not declared:
            refused = self._measure_unannounced_body(request, limit)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _measure_unannounced_body(request: HttpRequest, limit: int) -> HttpResponse | None:
        if isinstance(request, ASGIRequest):
            stream = request._stream  # the complete body, buffered by Django's ASGI handler
        elif request.META.get("wsgi.input_terminated"):
            stream = request.META["wsgi.input"]
        elif "HTTP_TRANSFER_ENCODING" in request.META:
            return error_json(
                {"body": ["This server cannot measure a body without Content-Length; send Content-Length."]}, 411
            )
        else:
            return None  # no body announced at all: nothing to read
        body = bytearray()
        while len(body) <= limit:
            chunk = stream.read(min(_READ_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            log.warning("Refused a body without Content-Length over %s bytes on %s", limit, request.path)
            return request_too_large_response(limit)
        if body:
            request._stream = LimitedStream(io.BytesIO(bytes(body)), len(body))
            request.META["CONTENT_LENGTH"] = str(len(body))
        return None


class QueryStringGuardMiddleware:
    """A NUL in a query parameter is a 400 on every route, before any view puts it in a query.

    PostgreSQL text cannot hold NUL (psycopg raises ``ValueError`` before sending the query), so
    ``?device=a%00b`` or an admin search for one would be a 500 wherever the value is used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("QUERY_STRING", "")
        if "%00" in raw or "\x00" in raw:
            fields = sorted({key for key, values in request.GET.lists() if "\x00" in key or "\x00" in "".join(values)})
            if fields:
                reason = "May not contain NUL characters."
                if is_api_path(request.path):
                    return error_json({field.replace("\x00", "\\x00"): [reason] for field in fields}, 400)
                names = ", ".join(field.replace("\x00", "\\x00") for field in fields)
                return HttpResponse(f"{names}: {reason}", status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with ``Retry-After``: JSON ``{"errors": {"database": [...]}}`` for the API, a page otherwise."""
    log.error("Database unavailable on %s %s: %s: %s", request.method, request.path, type(exc).__name__, exc)
    message = "The database is unavailable; retry shortly."
    if is_api_path(request.path) or "json" in request.META.get("HTTP_ACCEPT", ""):
        response: HttpResponse = error_json({"database": [message]}, 503)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1><p>{message}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A ``django.db.OperationalError``/``InterfaceError`` escaping a view is an outage: 503.

    The API's exception handler lets these errors through to here (``stores/api/errors.py``),
    so DRF views and plain views answer alike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: a database error raised outside a view (a middleware saving the session)
    is still a 503; anything else is Django's own 500 page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable_response(request, exc)
    return defaults.server_error(request, template_name)
