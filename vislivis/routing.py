"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from analytics.routing import websocket_urlpatterns as analytics_ws
from pantilt.routing import websocket_urlpatterns as pantilt_ws

websocket_urlpatterns = [*analytics_ws, *pantilt_ws]
