"""Files the panel serves to anyone: the sender client download and ``/favicon.ico``.

``/downloads/vislivis-sender.pyz`` is the sender client as one file, fetched from the panel
itself. Public on purpose: it is the same open client for every tenant, holds no data, URL or
credential, and an installer at a store PC must be able to fetch it with plain ``curl`` or
``python3 -c "import urllib.request ..."`` before any account is set up there (issue 18).
Built from the ``senders`` package the panel runs, so its checks always match the panel's.
"""

from __future__ import annotations

import functools
import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from senders import __version__
from senders.bundle import build


@functools.cache
def _archive() -> tuple[bytes, str]:
    data = build()
    return data, hashlib.sha256(data).hexdigest()


@require_safe
def sender_archive(request: HttpRequest) -> HttpResponse:
    data, digest = _archive()
    etag = f'"{digest[:32]}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="vislivis-sender.pyz"'
    response["ETag"] = etag
    response["X-Content-SHA256"] = digest
    response["X-Sender-Version"] = __version__
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for ``/favicon.ico`` whatever the page says; point them at static."""
    return HttpResponseRedirect(static("favicon.ico"))
