"""Private media: a file under ``MEDIA_ROOT`` is sent only to a user who may see what owns it.

Media holds camera snapshots (``snapshots/…``, owned by a ``stores.Camera`` and so by its store)
and capture sessions (``<captures>/<tenant>/<stamp>_<id>/…``, owned by a ``pantilt.CaptureSession``
and so by its tenant). Both are a tenant's pictures of its own shops, so they are never served
as static files, with ``DEBUG`` or without: this view answers every ``MEDIA_URL`` request, finds
the owner in the database and applies the same ``visible_to`` scoping as the API. Anything not
owned by a known row - an unknown folder, a stray file, a path that leaves ``MEDIA_ROOT`` - is a
404, and so is a file of another tenant (its existence is not confirmed either).

Files are sent by Django (``FileResponse`` streams them in blocks), behind the check: snapshots
and frames are small and fetched by people, not in bulk, so an ``X-Accel-Redirect`` hand-off to
nginx is not worth a second place where the rule lives.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from pantilt.models import CaptureSession
from stores.models import Camera, Store

# Served as what they are; anything else under MEDIA_ROOT only ever as a download.
INLINE_TYPES = {"image/png", "image/jpeg", "application/json"}


def safe_relative(path: str) -> PurePosixPath | None:
    """``path`` as a plain relative path inside ``MEDIA_ROOT``, or ``None`` when it is anything else.

    Refused: absolute paths, ``..`` / ``.`` / empty segments, backslashes, NUL. (Django has
    already decoded ``%2e%2e`` and ``%2f``, so encoded forms arrive here as the same text.)
    """
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return PurePosixPath(*parts)


def existing_file(relative: PurePosixPath) -> Path | None:
    """The file on disk, only if it is a regular file that really lies inside ``MEDIA_ROOT``
    (a symlink out of it does not count)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        absolute = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not absolute.is_relative_to(root) or not absolute.is_file():
        return None
    return absolute


def visible_to(user, relative: PurePosixPath) -> bool:
    """Whether ``user`` may see the row that owns this media path (no owner: nobody may)."""
    text = str(relative)
    if relative.parts[0] == "snapshots":
        return Camera.objects.filter(snapshot=text, store__in=Store.objects.visible_to(user)).exists()
    folders = [str(parent) for parent in relative.parents if str(parent) != "."]
    return CaptureSession.objects.visible_to(user).filter(folder__in=folders).exists()


class MediaView(APIView):
    """``GET /media/<path>``: the file, for a user who may see its store or capture session.

    Any of the API's ways to log in works (the session for the dashboard and the console, Basic
    or a token for the sender that uploaded a snapshot). Everybody else gets the same 404.
    """

    permission_classes = [AllowAny]  # the check is per file, below, and answers 404, not 401/403
    # Not the API's request throttles: one console page shows dozens of frames at once.
    throttle_classes: list = []

    @extend_schema(exclude=True)  # files for pages and the console, not part of the JSON API
    def get(self, request, path: str):
        relative = safe_relative(path)
        if relative is None or not visible_to(request.user, relative):
            raise Http404
        absolute = existing_file(relative)
        if absolute is None:
            raise Http404
        content_type, _ = mimetypes.guess_type(absolute.name)
        inline = content_type in INLINE_TYPES
        response = FileResponse(
            absolute.open("rb"),
            content_type=content_type if inline else "application/octet-stream",
            as_attachment=not inline,
            filename=absolute.name,
        )
        response["Cache-Control"] = "private, max-age=300"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["X-Content-Type-Options"] = "nosniff"
        return response
