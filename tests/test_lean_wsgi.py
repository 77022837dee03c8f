"""The lean WSGI entry (``vislivis.lean_wsgi``): which requests it answers itself, and that its
replies are the whole stack's.

Every request here goes through a real ``WSGIHandler`` (``tests/wsgi_client.py``), once through
``LeanWSGIHandler`` and once through Django's own, on the same settings; the replies must match
in status, body and headers (the request id's value aside). Whether the entry answered is seen
by giving its middleware chain a trap: a request it takes never reaches the chain; a request it
must leave to the guards does. The tests are transactional: a real handler's ``request_finished``
closes connections as in production, which a test's wrapping transaction would not survive.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from devices.models import ReceivedDocument
from tests.devices.conftest import sample
from tests.wsgi_client import WSGIReply, call, environ
from vislivis.lean_wsgi import HEALTH_MIDDLEWARE, LEAN_MIDDLEWARE, STANDS_IN_FOR, LeanWSGIHandler, stands_in_for
from vislivis.logging import REQUEST_ID_HEADER


@pytest.fixture
def production_headers(settings):
    """SecurityMiddleware's headers switched on as production has them (read when a handler is built)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    settings.SECURE_REFERRER_POLICY = "same-origin"
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


class Chain:
    """A handler's middleware chain, counted; or a trap for requests the entry must answer."""

    def __init__(self, handler: WSGIHandler, trap: bool) -> None:
        self.inner, self.trap, self.calls = handler._middleware_chain, trap, 0
        handler._middleware_chain = self

    def __call__(self, request):
        self.calls += 1
        if self.trap:
            raise AssertionError(f"the lean entry left {request.method} {request.path} to the middleware chain")
        return self.inner(request)


def comparable(reply: WSGIReply) -> tuple:
    headers = sorted((name.lower(), value) for name, value in reply.headers if name != REQUEST_ID_HEADER)
    return reply.status, headers, reply.body


def both(env_of, *, answered_by_entry: bool) -> tuple[WSGIReply, WSGIReply]:
    """The reply of the lean entry and of Django's handler to the same request (built twice)."""
    lean = LeanWSGIHandler()
    chain = Chain(lean, trap=answered_by_entry)
    lean_reply = call(lean, env_of())
    assert chain.calls == (0 if answered_by_entry else 1)
    return lean_reply, call(WSGIHandler(), env_of())


@pytest.mark.django_db(transaction=True)
def test_an_accepted_push_is_answered_by_the_entry_as_the_whole_stack_answers_it(store_a, production_headers):
    lean, whole = both(lambda: environ("POST", store_a.ingest_path, sample("metrics")), answered_by_entry=True)
    assert lean.status == 200 and json.loads(lean.body) == {"code": "0", "message": "success", "records": 3}
    assert comparable(lean) == comparable(whole)
    # What the guards above the lean middleware give every reply, and its length.
    assert lean.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert lean.header("X-Content-Type-Options") == "nosniff"
    assert lean.header("Content-Length") == str(len(lean.body))
    assert len(lean.header(REQUEST_ID_HEADER)) == 32
    assert ReceivedDocument.objects.filter(store=store_a).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("what", "body", "status"),
    [
        ("malformed XML", b"<Metrics", 400),
        ("an unknown root", b"<Other/>", 400),
        ("empty", b" ", 400),
    ],
)
def test_a_refused_push_is_the_same_400_both_ways(store_a, production_headers, what, body, status):
    lean, whole = both(lambda: environ("POST", store_a.ingest_path, body), answered_by_entry=True)
    assert lean.status == status
    assert comparable(lean) == comparable(whole)


@pytest.mark.django_db(transaction=True)
def test_an_unknown_ingest_key_is_the_same_404_both_ways(production_headers):
    path = "/api/devices/xml/" + "k" * 43 + "/"
    lean, whole = both(lambda: environ("POST", path, sample("metrics")), answered_by_entry=True)
    assert lean.status == 404
    assert comparable(lean) == comparable(whole)


@pytest.mark.django_db(transaction=True)
def test_an_inbound_request_id_is_echoed_and_the_access_line_written(store_a, caplog):
    env = environ("POST", store_a.ingest_path, sample("diags"), headers={"X-Request-ID": "proxy-id-12345"})
    app = LeanWSGIHandler()
    Chain(app, trap=True)
    with caplog.at_level(logging.INFO, logger="vislivis.request"):
        reply = call(app, env)
    assert reply.status == 200 and reply.header(REQUEST_ID_HEADER) == "proxy-id-12345"
    (line,) = [r for r in caplog.records if r.name == "vislivis.request"]
    assert (line.method, line.status, line.request_id) == ("POST", 200, "proxy-id-12345")
    assert line.path == store_a.ingest_path[:21] + "…/"  # the ingest key redacted, as every log line has it


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("what", "env_kwargs", "status"),
    [
        ("a body over the limit", {"body": b"<Metrics/>" * 10}, 413),
        ("a chunked body (no length)", {"headers": {"Transfer-Encoding": "chunked"}, "content_length": ""}, 411),
        ("a malformed length", {"content_length": "12abc"}, 400),
        ("a NUL in the query string", {"query": "x=%00"}, 400),
        ("plain HTTP (the HTTPS redirect)", {"secure": False}, 301),
    ],
)
def test_what_a_guard_answers_goes_down_the_whole_stack(
    store_a, production_headers, settings, what, env_kwargs, status
):
    settings.MAX_REQUEST_BODY_BYTES = 64
    kwargs = {"body": sample("diags")[:60], **env_kwargs}
    lean, whole = both(lambda: environ("POST", store_a.ingest_path, **kwargs), answered_by_entry=False)
    assert lean.status == status, lean.body[:300]
    assert comparable(lean) == comparable(whole)
    assert not ReceivedDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_other_methods_and_paths_go_down_the_whole_stack(store_a):
    for env_of in (
        lambda: environ("GET", store_a.ingest_path),  # the API view's 405
        lambda: environ("POST", "/api/analytics/customers", b"{}", content_type="application/json"),
        lambda: environ("POST", "/static/app.css", b"x"),
    ):
        lean, whole = both(env_of, answered_by_entry=False)
        assert comparable(lean) == comparable(whole)


@pytest.mark.django_db(transaction=True)
def test_errors_in_a_lean_view_are_the_503_and_the_500_of_the_whole_stack(settings, caplog):
    settings.ROOT_URLCONF = "tests.test_lean_routes"  # lean test views that raise
    gone, whole_gone = both(
        lambda: environ("POST", "/api/test-lean/database-gone/", b"{}", content_type="application/json"),
        answered_by_entry=True,
    )
    assert gone.status == 503 and gone.header("Retry-After") == "5"
    assert comparable(gone) == comparable(whole_gone)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        broken, whole_broken = both(
            lambda: environ("POST", "/api/test-lean/broken/", b"{}", content_type="text/plain"),
            answered_by_entry=True,
        )
    assert broken.status == 500
    assert comparable(broken) == comparable(whole_broken)
    # The handler's own error log line, with the traceback, once per request each way.
    assert sum(r.exc_info is not None and "RuntimeError" in str(r.exc_info[1].__class__) for r in caplog.records) == 2


def test_the_entry_stands_in_only_for_the_middleware_it_knows(settings):
    """Closed by default: anything added, removed or moved above the lean middleware, or a
    WhiteNoise root that could answer any path, and the entry answers nothing itself."""
    above, below = STANDS_IN_FOR, ["django.contrib.sessions.middleware.SessionMiddleware"]
    assert stands_in_for(settings.MIDDLEWARE)
    assert stands_in_for([*above, LEAN_MIDDLEWARE, *below])
    assert stands_in_for([HEALTH_MIDDLEWARE, *above, LEAN_MIDDLEWARE, *below])
    assert not stands_in_for([*above, "some.new.GuardMiddleware", LEAN_MIDDLEWARE, *below])
    assert not stands_in_for([*above[1:], LEAN_MIDDLEWARE, *below])
    assert not stands_in_for([above[1], above[0], *above[2:], LEAN_MIDDLEWARE, *below])
    assert not stands_in_for([*above, *below])
    settings.WHITENOISE_ROOT = "/srv/root-files"
    assert not stands_in_for([*above, LEAN_MIDDLEWARE, *below])


@pytest.mark.django_db(transaction=True)
def test_with_an_unknown_middleware_above_every_push_goes_down_the_whole_stack(store_a, settings):
    settings.MIDDLEWARE = [
        "django.middleware.gzip.GZipMiddleware",
        *settings.MIDDLEWARE,
    ]
    lean = LeanWSGIHandler()
    assert not lean.answers_lean
    chain = Chain(lean, trap=False)
    reply = call(lean, environ("POST", store_a.ingest_path, sample("diags")))
    assert reply.status == 200 and chain.calls == 1


@pytest.mark.django_db(transaction=True)
def test_the_entry_sends_the_request_signals_that_recycle_connections(store_a, settings):
    """``request_started``/``request_finished`` run around an entry's reply as around Django's:
    a connection past its ``CONN_MAX_AGE`` is closed after the request."""
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0  # closed at the end of every request
    try:
        app = LeanWSGIHandler()
        Chain(app, trap=True)
        assert call(app, environ("POST", store_a.ingest_path, sample("diags"))).status == 200
        assert connection.connection is None
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
