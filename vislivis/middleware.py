"""Request-level guards that must run before any view reads the body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class BodySizeLimitMiddleware:
    """Answer 413 for a declared body over the limit before anything reads it.

    Django alone would raise ``RequestDataTooBig`` (a 400) only once the body is read; devices
    and senders deserve the honest status, and the API exception handler covers bodies
    without a Content-Length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"errors": {"body": ["Invalid Content-Length header."]}}, status=400)
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit and request.path.startswith(("/api/", "/process-request")):
            return request_too_large_response(limit)
        return self.get_response(request)


def request_too_large_response(limit: int) -> JsonResponse:
    """The one 413 body every endpoint answers with."""
    return JsonResponse({"errors": {"body": [f"Request body is larger than the {limit} byte limit."]}}, status=413)
