"""Machine endpoints answered past the browser half of the middleware stack.

Why: a counting camera pushes its current minute ~17 times a minute, and each push went through
sessions, locale, CSRF, authentication, the login lockout, the brand language, messages and
frame options — middleware with nothing to do on a cookie-less, unauthenticated, CSRF-exempt
machine endpoint, which cost ~0.2–0.6 ms of the push's ~1.7 ms of worker CPU (measured in
process, docs/performance.md). ``LeanRouteMiddleware`` sits right below the guards in
``MIDDLEWARE``: everything above it (request id, health paths, HTTPS redirect and security
headers, static files, the query-string and body-size guards, database-unavailable) still
applies to these routes; everything below it does not.

Closed by default: only a view marked with :func:`lean_route`, and only for the methods it
names, is served here (``tests/test_lean_routes.py`` lists the marked views of the URLconf).
Any other request — another method on the same URL included — goes on down the whole stack.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, get_resolver, get_urlconf

from vislivis.middleware import DATABASE_ERRORS, database_unavailable_response, is_api_path

LEAN_METHODS_ATTRIBUTE = "lean_methods"
# Every method some lean route serves: any other request passes without a URL lookup.
_SERVED_METHODS: set[str] = set()


def lean_route(*methods: str) -> Callable:
    """Mark a view to be answered by ``LeanRouteMiddleware`` for ``methods`` (e.g. ``"POST"``).

    The view must need nothing of the skipped middleware: no session, no ``request.user``, no
    CSRF check (it is exempt anyway), no translated page, no messages.
    """
    if not methods:
        raise ValueError("lean_route needs the methods it serves, e.g. lean_route('POST').")

    served = frozenset(method.upper() for method in methods)
    _SERVED_METHODS.update(served)

    def mark(view: Callable) -> Callable:
        setattr(view, LEAN_METHODS_ATTRIBUTE, served)
        return view

    return mark


# A camera pushes to the same path every time (one per store): its URL match is remembered
# rather than resolved again (~15 µs of ``resolve()`` per push, ~1.5 % of its CPU). Bounded both
# ways: this many paths, none longer than a push path can be (an ingest key is 43 characters).
MATCHES_KEPT = 4096
REMEMBERED_PATH_MAX = 160


@lru_cache(maxsize=MATCHES_KEPT)
def _remembered_match(resolver, path: str) -> ResolverMatch | None:
    """``resolver.resolve(path)``, ``None`` for no match. Keyed by the resolver object, which
    ``django.urls.clear_url_caches`` (a changed ``ROOT_URLCONF``) replaces, so no stale match
    outlives its URLconf."""
    try:
        return resolver.resolve(path)
    except Resolver404:
        return None


def _match(path: str) -> ResolverMatch | None:
    resolver = get_resolver(get_urlconf())
    if len(path) > REMEMBERED_PATH_MAX:
        return _remembered_match.__wrapped__(resolver, path)
    return _remembered_match(resolver, path)


def lean_match(path: str, method: str | None) -> ResolverMatch | None:
    """The URL match of ``path`` when its view is marked for ``method``, else ``None``."""
    if method not in _SERVED_METHODS or not is_api_path(path):
        return None
    match = _match(path)
    if match is None or method not in getattr(match.func, LEAN_METHODS_ATTRIBUTE, ()):
        return None
    return match


def lean_view(request: HttpRequest) -> ResolverMatch | None:
    """The URL match of ``request`` when its view is marked for its method, else ``None``."""
    return lean_match(request.path_info, request.method)


def answer_lean(request: HttpRequest, match: ResolverMatch) -> HttpResponse:
    """Call the lean view of ``match`` as the handler would, with what the skipped middleware
    gave its reply: ``Content-Length`` as CommonMiddleware sets it (without it a server closes
    the connection after the reply, Django's, or may send it chunked, gunicorn's, which a
    camera's HTTP client may not read), and a database outage escaping the view as the 503
    ``DatabaseUnavailableMiddleware`` gives (its ``process_exception`` hook only sees views the
    handler calls). Any other error propagates, to the handler's 500."""
    request.resolver_match = match
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except DATABASE_ERRORS as exc:
        response = database_unavailable_response(request, exc)
    if not response.streaming and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response


class LeanRouteMiddleware:
    """Answer a marked view directly, as the handler would, past the middleware below this one
    (:func:`answer_lean`). Under gunicorn most pushes are answered before the middleware chain
    by ``vislivis.lean_wsgi``; this serves the rest (ASGI, the test client, requests that need
    a guard's answer)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = lean_view(request) if request.method in _SERVED_METHODS else None
        if match is None:
            return self.get_response(request)
        return answer_lean(request, match)
