"""The client's address, as far as it can be trusted: the one place that decides it.

Behind a reverse proxy every request arrives from the proxy, so ``REMOTE_ADDR`` alone would put
every client under one address (and one login limit). The proxy appends the address it saw to
``X-Forwarded-For``; what a client wrote there itself sits to the *left* of what the proxies
appended. So with ``TRUSTED_PROXY_HOPS = N`` proxies in front, the N-th entry from the right is
the address the outermost trusted proxy saw, and anything further left is the client's own
claim and ignored. With 0 hops (no proxy; the embedded default) the header is ignored entirely,
and no other header (``X-Real-IP``, ``Forwarded``, ``True-Client-IP``...) is ever read.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _normalized(value: str) -> str | None:
    """The address in canonical text form, or ``None`` when it is not an IP address."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address limits and logs attribute this request to (``""`` when none is known).

    Accepts a Django ``HttpRequest`` or anything with its ``META`` (a DRF ``Request`` proxies it).
    """
    meta = getattr(request, "META", None) or {}
    remote = meta.get("REMOTE_ADDR") or ""
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0) or 0)
    if hops <= 0:
        return remote
    entries = [entry.strip() for entry in str(meta.get(FORWARDED_FOR, "")).split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < hops:
        # Fewer entries than trusted proxies: the request did not come through all of them.
        return remote
    return _normalized(entries[-hops]) or remote
