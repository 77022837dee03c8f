"""The product's URLs plus ``/bench/bare``: a bare Django view, the ingest baseline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from vislivis.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """200 with a two-byte body: the whole middleware stack, no view work, no database."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *product_urlpatterns]
