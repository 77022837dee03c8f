"""WebSocket routes for capture session status."""

from django.urls import re_path

from pantilt.consumers import SessionStatusConsumer

websocket_urlpatterns = [
    re_path(r"^ws/pantilt/sessions/(?P<session_id>\d+)/?$", SessionStatusConsumer.as_asgi()),
]
