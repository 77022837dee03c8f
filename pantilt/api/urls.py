"""Routes under /api/pantilt/ (trailing slash optional: the seed's clients omit it)."""

from django.urls import re_path

from pantilt.api.views import ProcessRequestView, RigDetailView, SessionDetailView

urlpatterns = [
    re_path(r"^process-requests?/?$", ProcessRequestView.as_view(), name="pantilt-process-request"),
    re_path(r"^rigs/(?P<rig_id>\d+)/?$", RigDetailView.as_view(), name="pantilt-rig"),
    re_path(r"^sessions/(?P<session_id>\d+)/?$", SessionDetailView.as_view(), name="pantilt-session"),
]
