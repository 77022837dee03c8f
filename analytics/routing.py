"""WebSocket routes of the dashboards (filled in by the dashboards work)."""

websocket_urlpatterns: list = []
