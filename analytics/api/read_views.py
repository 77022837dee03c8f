"""Read API of sender analytics: ``/api/stores/<id>/customers|heatmaps|queues``."""

from __future__ import annotations

from rest_framework.response import Response

from analytics import selectors
from stores.api.base import StoreScopedAPIView


class ReportView(StoreScopedAPIView):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=hour|day`` in the store's time zone."""

    report = staticmethod(selectors.customers_report)

    def get(self, request, store_id: int):
        store = self.get_store()
        rng = self.get_range(store)
        return Response(
            {
                "store": store.pk,
                "timezone": store.timezone,
                "from": rng.first_day.isoformat(),
                "to": rng.last_day.isoformat(),
                "granularity": rng.granularity,
                "results": self.report(store, rng),
            }
        )


class CustomersReportView(ReportView):
    report = staticmethod(selectors.customers_report)


class HeatmapsReportView(ReportView):
    report = staticmethod(selectors.heatmaps_report)


class QueuesReportView(ReportView):
    report = staticmethod(selectors.queues_report)
