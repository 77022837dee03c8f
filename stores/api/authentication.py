"""Authentication for sender accounts: HTTP Basic (cached), tokens, body credentials.

Failed logins are limited per (client address, username) and per client address on all of them
(``stores.login_limits``, the same counters as the admin and dashboard login forms).

Django's PBKDF2 costs hundreds of milliseconds per check, which stores would pay on every
hourly push. A verified ``(username, password)`` pair is remembered for a short time under a
keyed digest (never the password itself); the cached entry also holds the password hash it was
verified against, so changing the password invalidates it at once.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, TokenAuthentication

from stores import login_limits


def _credential_cache_key(username: str, password: str) -> str:
    text = f"{username}\x00{password}".encode("utf-8", "surrogatepass")  # never a crash on bad input
    digest = hmac.new(settings.SECRET_KEY.encode(), text, hashlib.sha256).hexdigest()
    return f"basic-auth:{digest}"


def _throttled(wait: float) -> exceptions.Throttled:
    return exceptions.Throttled(wait=wait, detail="Too many failed logins; try again later.")


def authenticate_credentials_cached(username: str, password: str, request=None):
    """Return the active user for these credentials or ``None``; PBKDF2 runs once per window.

    The login limits (``stores.login_limits``) come first, also for a credential already
    verified: a client locked out gets 429 even with the right password, so guessing on during
    a lock-out tells it nothing. The lock-out check and the credential cache are one cache
    read; a cache miss goes through ``authenticate``, where the attempt is counted.
    """
    key = _credential_cache_key(username, password)
    wait, found = login_limits.locked_for(request, username, also=[key])
    if wait is not None:
        raise _throttled(wait)
    cached = found.get(key)
    User = get_user_model()
    if cached is not None:
        user_id, password_hash = cached
        user = User.objects.filter(pk=user_id, is_active=True).select_related("membership").first()
        if user is not None and hmac.compare_digest(user.password, password_hash):
            return user
        cache.delete(key)
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        wait = login_limits.lockout_wait(request)
        if wait is not None:  # refused by the limits just now (a race with a parallel guess)
            raise _throttled(wait)
        return None
    cache.set(key, (user.pk, user.password), settings.BASIC_AUTH_CACHE_SECONDS)
    return user


class CachedBasicAuthentication(BasicAuthentication):
    """HTTP Basic as the seed's scripts send it (``-u boyner -p boyner``)."""

    www_authenticate_realm = "vislivis"

    def authenticate_credentials(self, userid, password, request=None):
        user = authenticate_credentials_cached(userid, password, request)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid username or password.")
        return (user, None)


class MembershipTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, the user loaded with its membership in the same query.

    DRF's own class loads the user only; the sender permission and the store resolution then
    read ``user.membership``, one more query on every request.
    """

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__membership").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(gettext_lazy("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(gettext_lazy("User inactive or deleted."))
        return (token.user, token)


class BodyCredentialsAuthentication(BaseAuthentication):
    """``username``/``password`` inside the JSON body, as the seed's setup payload carries them.

    Used only by the setup endpoint, after header-based schemes found nothing.
    """

    def authenticate(self, request):
        data = request.data  # a malformed body raises ParseError here: a 400, not a 401
        if not isinstance(data, dict) or "username" not in data or "password" not in data:
            return None
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise exceptions.AuthenticationFailed("username and password must be strings.")
        user = authenticate_credentials_cached(username, password, request._request)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid username or password.")
        return (user, None)

    def authenticate_header(self, request):
        return 'Basic realm="vislivis"'
