"""The authentication backend: Django's ``ModelBackend`` with login limits and the membership joined.

Every ``django.contrib.auth.authenticate`` call lands here (admin and dashboard login forms, the
token view, the API's Basic and body credentials), so this is where failed logins are limited
(``stores.login_limits``): a login view added later is limited without anyone remembering to.

Every authenticated page and read-API request asks ``user.membership`` for the tenant scope
(``Store.objects.visible_to``); fetched lazily that is one more query per request on top of the
session's user lookup. Joining it (and its tenant, whose language the pages speak:
``vislivis.brand_locale``) where the session user is loaded saves those round trips.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from stores import login_limits


def storable(text: str) -> bool:
    """Whether the database and the hasher can take this text (PostgreSQL refuses NUL; UTF-8
    refuses lone surrogates) - anything else cannot be anybody's username or password."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class MembershipModelBackend(ModelBackend):
    """``ModelBackend`` that counts failed logins and loads the session user with its membership."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if not isinstance(username, str) or not isinstance(password, str):
            return None  # not a password login: nothing to check, nothing to count
        attempt = login_limits.begin(request, username)
        if attempt.refused:
            # Stops authenticate() at once: no other backend is asked, the password is not checked.
            raise PermissionDenied("Too many failed logins.")
        if not (storable(username) and storable(password)):
            return None  # a failure like any other (and counted), never a database error
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            attempt.succeeded()
        return user

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("membership__tenant").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
