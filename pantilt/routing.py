"""WebSocket routes for capture session status."""

websocket_urlpatterns: list = []
