"""Hourly analytics in the console: read-mostly lists, scoped per tenant."""

from analytics.models import HourlyCustomers, HourlyQueue, HourlyZoneHeatmap, StoreDay
from stores.admin_scoping import TenantScopedAdmin
from vislivis.console import register


class HourlyAdmin(TenantScopedAdmin):
    date_hierarchy = "hour"
    list_filter = ["store"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")


@register(HourlyCustomers)
class HourlyCustomersAdmin(HourlyAdmin):
    list_display = ["hour", "store", "camera_id", "entered", "exited", "customers_inside", "male_count", "female_count"]


@register(HourlyZoneHeatmap)
class HourlyZoneHeatmapAdmin(HourlyAdmin):
    list_display = ["hour", "store", "zone", "camera_id", "visitor_count", "intensity"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("zone")


@register(HourlyQueue)
class HourlyQueueAdmin(HourlyAdmin):
    list_display = ["hour", "store", "cashier", "total_customers", "wait_time"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cashier")


@register(StoreDay)
class StoreDayAdmin(TenantScopedAdmin):
    """Read-only: ingest keeps these rows (``analytics.storedays``); ``rebuild_store_days`` repairs them."""

    date_hierarchy = "business_date"
    list_display = ["business_date", "store", "source", "footfall", "occupancy_peak", "starts_at", "ends_at"]
    list_filter = ["source", "store"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
