"""Read API of sender analytics: ``/api/stores/<id>/customers|heatmaps|queues``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from analytics import selectors
from analytics.api import docs
from stores.api import docs as common_docs
from stores.api.base import StoreScopedAPIView


class ReportView(StoreScopedAPIView):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=hour|day`` in the store's time zone."""

    report = staticmethod(selectors.customers_report)

    def get(self, request, store_id: int):
        store = self.get_store()
        rng = self.get_range(store)
        return self.report_response(store, rng, self.report(store, rng))


@extend_schema(
    parameters=common_docs.RANGE_PARAMETERS,
    responses={200: common_docs.report_response("CustomersReport", docs.CUSTOMERS_ROW), **common_docs.ERROR_RESPONSES},
)
class CustomersReportView(ReportView):
    report = staticmethod(selectors.customers_report)


@extend_schema(
    parameters=common_docs.RANGE_PARAMETERS,
    responses={200: common_docs.report_response("HeatmapsReport", docs.HEATMAPS_ROW), **common_docs.ERROR_RESPONSES},
)
class HeatmapsReportView(ReportView):
    report = staticmethod(selectors.heatmaps_report)


@extend_schema(
    parameters=common_docs.RANGE_PARAMETERS,
    responses={200: common_docs.report_response("QueuesReport", docs.QUEUES_ROW), **common_docs.ERROR_RESPONSES},
)
class QueuesReportView(ReportView):
    report = staticmethod(selectors.queues_report)
