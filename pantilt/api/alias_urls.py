"""The seed's clients call ``/process-request`` and ``/process-requests`` at the root."""

from django.urls import re_path

from pantilt.api.views import ProcessRequestView

urlpatterns = [
    re_path(r"^process-requests?/?$", ProcessRequestView.as_view(), name="pantilt-process-request-alias"),
]
