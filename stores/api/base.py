"""Base classes every tenant-scoped API view builds on, so scoping is applied once."""

from __future__ import annotations

from django.http import Http404
from rest_framework.response import Response
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

    def report_response(self, store: Store, rng: ReportRange, results: list, **extra) -> Response:
        """The read API's one envelope: the store, its zone, the range asked for, the rows."""
        return Response(
            {
                "store": store.pk,
                "timezone": store.timezone,
                "from": rng.first_day.isoformat(),
                "to": rng.last_day.isoformat(),
                "granularity": rng.granularity,
                **extra,
                "results": results,
            }
        )
