"""The authentication backend: Django's ``ModelBackend``, with the membership joined in.

Every authenticated page and read-API request asks ``user.membership`` for the tenant scope
(``Store.objects.visible_to``); fetched lazily that is one more query per request on top of the
session's user lookup. Joining it where the session user is loaded saves that round trip.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipModelBackend(ModelBackend):
    """``ModelBackend`` whose session user arrives with its ``membership`` (or ``None``) cached."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("membership").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
