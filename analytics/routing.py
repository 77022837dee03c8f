"""WebSocket routes of the dashboards: ``/ws/stores/<id>/`` streams that store's live events."""

from django.urls import re_path

from analytics.consumers import StoreConsumer

websocket_urlpatterns = [
    re_path(r"^ws/stores/(?P<store_id>\d+)/$", StoreConsumer.as_asgi()),
]
