"""The language a brand's users see: the brand's own (``Tenant.language``) where it decides.

``LocaleMiddleware`` picks a language from the language cookie (the dashboards' switch), then
the browser's ``Accept-Language``. For a signed-in member of a brand this middleware then
decides, on every page (the API keeps ``LocaleMiddleware``'s choice: its clients are scripts):

- the brand console (``/admin/``) always speaks the brand's language, so the names a brand
  admin reads there are the ones the brand's alerts and summaries use;
- the dashboards speak the language the user chose with the switch (the cookie) and otherwise
  the brand's, not the browser's: a Turkish brand's viewer on an English browser reads Turkish.

Operators (superusers without a membership) keep ``LocaleMiddleware``'s choice everywhere,
the operators' site (``/operator/``) included. The tenant comes with the session user
(``stores.backends``), so this costs no query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from vislivis.middleware import DATABASE_ERRORS, database_unavailable_response, is_api_path

# The URL namespace of the brand console (vislivis.console.brand_site).
CONSOLE_NAMESPACE = "admin"


def brand_language(request: HttpRequest) -> str | None:
    """The language of the signed-in user's brand, or ``None`` (anonymous, no membership)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    language = membership.tenant.language
    return language if language in dict(settings.LANGUAGES) else None


def in_console(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.namespace == CONSOLE_NAMESPACE


class BrandLanguageMiddleware:
    """Activates the brand's language (see the module docstring); after the auth middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if is_api_path(request.path):
            return None
        try:
            language = brand_language(request)  # the first read of the session's user
        except DATABASE_ERRORS as exc:  # not inside a view: DatabaseUnavailableMiddleware cannot see it
            return database_unavailable_response(request, exc)
        if language is None:
            return None
        if in_console(request) or settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None
