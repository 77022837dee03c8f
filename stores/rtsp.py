"""RTSP addresses carry camera passwords; they are stored but never shown."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def mask_rtsp_credentials(url: str) -> str:
    """``rtsp://user:pass@host/x`` → ``rtsp://user:***@host/x``; other URLs unchanged."""
    if not url or "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    if parts.password is None and parts.username is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))
