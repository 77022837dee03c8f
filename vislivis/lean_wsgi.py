"""The WSGI entry: Django's handler, with the plain case of a lean route answered ahead of its
middleware chain.

Why: a camera push is the most frequent request there is (issue 17: ~300 a second at the
evening peak). Past the browser middleware (``vislivis.lean_routes``) a push still paid ~80–90
µs of its ~550 µs of worker CPU (in process, production settings) for the guards' layers, the
security headers set one by one and the handler's request and response plumbing.

What it takes, and only then: a request the whole stack would hand to a lean view untouched —
a method some lean route serves, an API path whose URL match is a lean view for that method, a
query string without NUL, a declared ``Content-Length`` within ``MAX_REQUEST_BODY_BYTES`` and
no HTTPS redirect due. Everything else (no or a malformed length, a chunked body, a body over
the limit, a NUL, a redirect, any other method or path) goes to Django's handler and the whole
stack, whose guards answer it exactly as before.

What it does for such a request is what the stack above ``LeanRouteMiddleware`` does:
Django's ``request_started`` and ``request_finished`` signals (persistent connections are
checked and recycled as usual), the request id and access line (``vislivis.logging``), the
view through ``lean_routes.answer_lean`` (``Content-Length``, the database-outage 503), the
handler's 500 for any other error, the security headers (``SecurityMiddleware``'s own values,
each only where the reply has none, as its ``setdefault`` gives them) and ``django.request``'s
log line for a reply of 400 or more.

Closed by default: the entry stands in for a fixed list of middleware (``STANDS_IN_FOR``).
When ``MIDDLEWARE`` above the lean middleware is anything else — a guard added, removed or
moved — it answers nothing itself and every request goes down the whole stack.
``tests/test_lean_wsgi.py`` sends the same requests both ways and compares the replies.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_path_info, get_script_name
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import ResolverMatch, get_resolver, set_script_prefix, set_urlconf
from django.utils.log import log_response

from vislivis import lean_routes
from vislivis.logging import answered, open_request, request_id_var

LEAN_MIDDLEWARE = "vislivis.lean_routes.LeanRouteMiddleware"
# The middleware above the lean one, in order, whose work on a plain lean request this entry does.
STANDS_IN_FOR = (
    "vislivis.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vislivis.middleware.QueryStringGuardMiddleware",
    "vislivis.middleware.BodySizeLimitMiddleware",
    "vislivis.middleware.DatabaseUnavailableMiddleware",
)
# Production puts the health paths' middleware first; it answers /healthz and /readyz only.
HEALTH_MIDDLEWARE = "vislivis.health.HealthCheckMiddleware"


def stands_in_for(middleware: Iterable[str]) -> bool:
    """Whether ``middleware`` above the lean one is exactly what this entry stands in for.

    WhiteNoise answers only its files: under ``STATIC_URL`` (never an API path here) and, with
    ``WHITENOISE_ROOT``, any path at all; with a root set the entry stays out of the way.
    """
    middleware = list(middleware)
    if LEAN_MIDDLEWARE not in middleware or getattr(settings, "WHITENOISE_ROOT", None):
        return False
    above = tuple(middleware[: middleware.index(LEAN_MIDDLEWARE)])
    return above in (STANDS_IN_FOR, (HEALTH_MIDDLEWARE, *STANDS_IN_FOR))


def _unused(request):  # SecurityMiddleware's get_response: only its two hooks are called
    raise AssertionError("not a middleware chain")


class LeanWSGIHandler(WSGIHandler):
    """``WSGIHandler`` that answers plain lean requests itself (the module says which and how)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers_lean = stands_in_for(settings.MIDDLEWARE)
        # The URLconf imported now, not by the first request: its lean views name the methods
        # the entry looks for (``lean_route`` marks them as they are defined).
        get_resolver().url_patterns  # noqa: B018
        self._security = SecurityMiddleware(_unused)
        self._body_limit = settings.MAX_REQUEST_BODY_BYTES
        self._static_prefix = "/" + (settings.STATIC_URL or "").lstrip("/")
        self._security_headers = {secure: security_headers(self._security, secure) for secure in (True, False)}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = self._lean_match(environ) if self.answers_lean else None
        if match is not None:
            request = self.request_class(environ)
            if self._security.process_request(request) is None:  # no HTTPS redirect due
                return self._answer(request, match, environ, start_response)
        return super().__call__(environ, start_response)

    def _lean_match(self, environ: dict) -> ResolverMatch | None:
        """The lean view's match when no guard would act on this request, else ``None``."""
        method = environ.get("REQUEST_METHOD")
        if method not in lean_routes._SERVED_METHODS:
            return None
        query = environ.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:  # QueryStringGuardMiddleware's to answer
            return None
        declared = environ.get("CONTENT_LENGTH") or ""
        # BodySizeLimitMiddleware's to answer: none (chunked, or none at all), malformed, too large.
        if not (declared.isascii() and declared.isdigit()) or int(declared) > self._body_limit:
            return None
        path = get_path_info(environ)
        if path.startswith(self._static_prefix):
            return None
        return lean_routes.lean_match(path, method)

    def _answer(self, request: WSGIRequest, match: ResolverMatch, environ: dict, start_response: Callable):
        # What WSGIHandler.__call__ and BaseHandler.get_response do around the middleware chain.
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.__class__, environ=environ)
        set_urlconf(settings.ROOT_URLCONF)
        token = open_request(request)
        try:
            try:
                response = lean_routes.answer_lean(request, match)
            except Exception as exc:  # noqa: BLE001 - the handler's 500, as convert_exception_to_response gives it
                response = response_for_exception(request, exc)
            answered(request, response)
        finally:
            request_id_var.reset(token)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        # As WSGIHandler.__call__ hands a reply to the server (its close() sends request_finished),
        # with SecurityMiddleware's headers added to the list where the reply has none.
        response._handler_class = self.__class__
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        headers += [item for item in self._security_headers[request.is_secure()] if item[0] not in response]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response


def security_headers(middleware: SecurityMiddleware, secure: bool) -> list[tuple[str, str]]:
    """The headers ``middleware.process_response`` adds to a reply that has none of them, for a
    request over HTTPS or not. They depend on the settings alone, so they are asked once, of
    the middleware itself; each is only ever added where a reply lacks it (its ``setdefault``
    and its ``not in response``), which is how ``_answer`` adds them."""
    probe = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443" if secure else "80",
            "wsgi.url_scheme": "https" if secure else "http",
            "wsgi.input": io.BytesIO(),
        }
    )
    bare = HttpResponse()
    before = set(bare.headers)
    middleware.process_response(probe, bare)
    return [(name, value) for name, value in bare.items() if name not in before]


def get_lean_wsgi_application() -> LeanWSGIHandler:
    """``django.core.wsgi.get_wsgi_application`` with the lean entry."""
    import django

    django.setup(set_prefix=False)
    return LeanWSGIHandler()
