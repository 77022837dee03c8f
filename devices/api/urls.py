"""API routes of this app (mounted at ``api/devices/``); the ingest path works with or without its slash."""

from django.urls import re_path

from devices.api.views import xml_ingest

urlpatterns = [
    re_path(r"^xml/(?P<ingest_key>[A-Za-z0-9_-]{1,64})/?$", xml_ingest, name="device-xml-ingest"),
]
