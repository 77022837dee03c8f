"""Dashboard pages (``/dashboard/``)."""

urlpatterns: list = []
