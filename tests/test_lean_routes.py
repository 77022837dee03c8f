"""Lean routes (``vislivis.lean_routes``): only marked views skip the browser middleware, and
every guard above the lean middleware still answers for them.

The camera push is the one lean route. These tests pin what it skips (sessions, locale, frame
options: observable on the reply) and what it keeps (request id, the body-size and query-string
guards, the database-outage 503, the handler's 500), and that nothing else in the URLconf is lean.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.http import JsonResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, re_path
from django.views.decorators.csrf import csrf_exempt

from devices.models import ReceivedDocument
from tests.devices.conftest import sample
from vislivis.lean_routes import LEAN_METHODS_ATTRIBUTE, REMEMBERED_PATH_MAX, _remembered_match, lean_route
from vislivis.logging import REQUEST_ID_HEADER


def lean_patterns(patterns, prefix: str = "") -> dict[str, frozenset[str]]:
    """``{route name or path: methods}`` of every lean view in ``patterns``, nested includes too."""
    found: dict[str, frozenset[str]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.update(lean_patterns(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            methods = getattr(pattern.callback, LEAN_METHODS_ATTRIBUTE, None)
            if methods is not None:
                found[pattern.name or prefix + str(pattern.pattern)] = methods
    return found


def test_the_camera_push_is_the_only_lean_route():
    """Closed by default: a new view goes through the whole stack unless someone marks it here."""
    assert lean_patterns(get_resolver().url_patterns) == {"device-xml-ingest": frozenset({"POST"})}


def test_the_lean_middleware_sits_below_every_guard():
    order = django_settings.MIDDLEWARE
    lean = order.index("vislivis.lean_routes.LeanRouteMiddleware")
    for guard in (
        "vislivis.logging.RequestIdMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "vislivis.middleware.QueryStringGuardMiddleware",
        "vislivis.middleware.BodySizeLimitMiddleware",
        "vislivis.middleware.DatabaseUnavailableMiddleware",
    ):
        assert order.index(guard) < lean, guard
    for browser in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ):
        assert order.index(browser) > lean, browser


def test_lean_route_needs_its_methods():
    with pytest.raises(ValueError, match="methods"):
        lean_route()


def test_a_push_is_answered_past_the_browser_middleware(client, store_a):
    pushed = client.post(store_a.ingest_path, sample("metrics"), content_type="text/xml")
    assert pushed.status_code == 200
    assert pushed.json()["code"] == "0"
    assert ReceivedDocument.objects.filter(store=store_a).count() == 1
    assert pushed.has_header(REQUEST_ID_HEADER)  # above the lean middleware: kept
    # As CommonMiddleware sets it: a reply without it is sent chunked or closes the connection.
    assert pushed["Content-Length"] == str(len(pushed.content))
    # LocaleMiddleware and XFrameOptionsMiddleware mark every reply they see; these did not run.
    assert not pushed.has_header("Content-Language")
    assert not pushed.has_header("X-Frame-Options")
    # The same URL with another method goes down the whole stack to the API view.
    refused = client.get(store_a.ingest_path)
    assert refused.status_code == 405
    assert refused.has_header("Content-Language") and refused.has_header("X-Frame-Options")


def test_a_push_with_a_session_cookie_does_not_touch_the_session(client, store_a, django_user_model):
    """A browser's session cookie on a push is ignored: no session read, none saved or renewed."""
    client.force_login(django_user_model.objects.create_user("cookie-holder", password="x-1-long-enough"))
    pushed = client.post(store_a.ingest_path, sample("diags"), content_type="text/xml")
    assert pushed.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in pushed.cookies
    assert not pushed.has_header("Vary")  # SessionMiddleware adds Vary: Cookie once it reads the session


def test_the_guards_above_still_answer_for_a_push(client, store_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 64
    too_large = client.post(store_a.ingest_path, sample("metrics"), content_type="text/xml")
    assert too_large.status_code == 413
    nul = client.post(store_a.ingest_path + "?x=%00", sample("diags"), content_type="text/xml")
    assert nul.status_code == 400
    assert nul.json() == {"errors": {"x": ["May not contain NUL characters."]}}
    assert not ReceivedDocument.objects.exists()


# A URLconf of test views for what the middleware itself promises, whatever a view does.
@lean_route("POST")
@csrf_exempt
def _database_gone(request):
    raise OperationalError("connection refused")


@lean_route("POST")
@csrf_exempt
def _broken(request):
    raise RuntimeError("a bug")


@csrf_exempt
def _unmarked(request):
    return JsonResponse({"session": hasattr(request, "session")})


urlpatterns = [
    re_path(r"^api/test-lean/database-gone/$", _database_gone),
    re_path(r"^api/test-lean/broken/$", _broken),
    re_path(r"^api/test-lean/unmarked/$", _unmarked),
]


@pytest.mark.urls(__name__)
def test_a_database_outage_in_a_lean_view_is_the_usual_503(db):
    response = Client().post("/api/test-lean/database-gone/", b"{}", content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Length"] == str(len(response.content))
    assert json.loads(response.content) == {"errors": {"database": ["The database is unavailable; retry shortly."]}}


@pytest.mark.urls(__name__)
def test_any_other_error_in_a_lean_view_is_the_handlers_500(db):
    response = Client(raise_request_exception=False).post("/api/test-lean/broken/", b"{}", content_type="text/plain")
    assert response.status_code == 500


@pytest.mark.urls(__name__)
def test_an_unmarked_view_goes_through_the_whole_stack(db):
    response = Client().post("/api/test-lean/unmarked/", b"{}", content_type="application/json")
    assert response.json() == {"session": True}


def test_a_remembered_match_follows_the_urlconf(client, store_a, settings):
    """The push's URL match is remembered per URLconf: after ``ROOT_URLCONF`` changes, a path
    that no longer names a lean view goes down the whole stack (here: a 404 page with the
    browser middleware's headers), and back again."""
    assert client.post(store_a.ingest_path, sample("diags"), content_type="text/xml").status_code == 200
    project_urls = settings.ROOT_URLCONF
    settings.ROOT_URLCONF = __name__
    gone = client.post(store_a.ingest_path, sample("diags"), content_type="text/xml")
    assert gone.status_code == 404
    assert gone.has_header("X-Frame-Options")
    settings.ROOT_URLCONF = project_urls
    again = client.post(store_a.ingest_path, sample("diags"), content_type="text/xml")
    assert again.status_code == 200 and not again.has_header("X-Frame-Options")
    assert ReceivedDocument.objects.filter(store=store_a).count() == 2


def test_a_path_too_long_to_remember_is_resolved_and_not_kept(client, db):
    """Paths past ``REMEMBERED_PATH_MAX`` are resolved each time, never kept (the cache stays
    bounded whatever a scanner sends): this one names no view, so it is the site's 404 page."""
    path = "/api/devices/xml/" + "k" * REMEMBERED_PATH_MAX + "/"
    before = _remembered_match.cache_info().currsize
    refused = client.post(path, sample("diags"), content_type="text/xml")
    assert refused.status_code == 404
    assert refused.has_header("X-Frame-Options")  # down the whole stack, as any unknown URL
    assert _remembered_match.cache_info().currsize == before
