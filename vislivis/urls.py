"""URL map. Sender endpoints accept the path with or without a trailing slash, because
store scripts and camera firmwares are configured by hand and both forms occur."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from analytics.api import read_views
from analytics.api import views as analytics_views
from devices.api import views as device_views
from sales.api import views as sales_views
from stores.api import views as store_views
from visitorsflow import demo_api as visitorsflow_demo_api
from vislivis import health, media, public_files
from vislivis.console import brand_site


def flexible(route: str, view, name: str):
    """``route`` matched with or without its trailing slash (POSTs cannot be redirected)."""
    return re_path(rf"^{route.strip('/')}/?$", view, name=name)


api_patterns = [
    # First: the camera push is by far the most frequent request, and URL resolution tries the
    # patterns in order (no other pattern here starts with api/devices/).
    path("api/devices/", include("devices.api.urls")),
    flexible("api/auth/token", store_views.ObtainTokenView.as_view(), "api-token"),
    flexible("api/health/heartbeat", store_views.HeartbeatView.as_view(), "heartbeat"),
    flexible("api/analytics/customers", analytics_views.CustomersView.as_view(), "ingest-customers"),
    flexible("api/analytics/heatmaps", analytics_views.HeatmapsView.as_view(), "ingest-heatmaps"),
    flexible("api/analytics/queues", analytics_views.QueuesView.as_view(), "ingest-queues"),
    flexible("api/analytics/sales", sales_views.SalesView.as_view(), "ingest-sales"),
    flexible("api/settings/setup", store_views.SetupView.as_view(), "ingest-setup"),
    flexible("api/stores", store_views.StoreListView.as_view(), "store-list"),
    re_path(
        r"^api/stores/(?P<store_id>\d+)/customers/?$", read_views.CustomersReportView.as_view(), name="store-customers"
    ),
    re_path(
        r"^api/stores/(?P<store_id>\d+)/heatmaps/?$", read_views.HeatmapsReportView.as_view(), name="store-heatmaps"
    ),
    re_path(r"^api/stores/(?P<store_id>\d+)/queues/?$", read_views.QueuesReportView.as_view(), name="store-queues"),
    re_path(r"^api/stores/(?P<store_id>\d+)/sales/?$", sales_views.SalesReportView.as_view(), name="store-sales"),
    re_path(r"^api/stores/(?P<store_id>\d+)/health/?$", store_views.StoreHealthView.as_view(), name="store-health"),
    re_path(r"^api/stores/(?P<store_id>\d+)/footfall/?$", device_views.FootfallView.as_view(), name="store-footfall"),
    re_path(
        r"^api/stores/(?P<store_id>\d+)/demographics/?$",
        device_views.DemographicsView.as_view(),
        name="store-demographics",
    ),
    path("api/pantilt/", include("pantilt.api.urls")),
    path("api/visitorsflow/", include("visitorsflow.api.urls")),
    path("", include("pantilt.api.alias_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", public_files.favicon, name="favicon"),
    # The demo's stand-in for VisitorsFlow's official API: 404 unless VISITORSFLOW_DEMO_API (local settings).
    path("demo/visitorsflow/official-api", visitorsflow_demo_api.official_api, name="visitorsflow-demo-api"),
    path("downloads/vislivis-sender.pyz", public_files.sender_archive, name="download-sender"),
    *api_patterns,
    path("", RedirectView.as_view(url="/dashboard/", permanent=False), name="home"),
    path("dashboard/", include("analytics.urls")),
    # The brand console (tenant-scoped admins only) and the operators' full admin: vislivis.console.
    path("admin/", brand_site.urls),
    path("operator/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # A tenant's pictures: never static files (with DEBUG neither); the view checks the owner.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.MediaView.as_view(), name="media"),
]

# A database error raised outside a view (a middleware saving the session) is a 503 too.
handler500 = "vislivis.middleware.server_error"
