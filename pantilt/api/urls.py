"""Routes under /api/pantilt/ (trailing slash optional: the seed's clients omit it)."""

from django.urls import re_path

from pantilt.api.views import ProcessRequestView, SessionDetailView

urlpatterns = [
    re_path(r"^process-requests?/?$", ProcessRequestView.as_view(), name="pantilt-process-request"),
    re_path(r"^sessions/(?P<session_id>\d+)/?$", SessionDetailView.as_view(), name="pantilt-session"),
]
