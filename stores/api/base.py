"""Base classes every tenant-scoped API view builds on, so scoping is applied once."""

from __future__ import annotations

from django.http import Http404
from rest_framework.views import APIView

from stores.api.params import ReportRange, parse_report_range
from stores.models import Store


class StoreScopedAPIView(APIView):
    """Resolves ``store_id`` from the URL among the stores the user may see; others are 404."""

    def get_store(self) -> Store:
        store = Store.objects.visible_to(self.request.user).filter(pk=self.kwargs["store_id"]).first()
        if store is None:
            raise Http404
        return store

    def get_range(self, store: Store) -> ReportRange:
        return parse_report_range(self.request.query_params, store.timezone)
