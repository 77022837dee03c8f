"""The seed's clients call ``/process-request`` and ``/process-requests`` at the root."""

urlpatterns: list = []
