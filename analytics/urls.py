"""Dashboard pages (``/dashboard/``)."""

from django.urls import path

from analytics import views

app_name = "dashboard"

urlpatterns = [
    path("", views.store_list, name="store-list"),
    path("brand/", views.brand_page, name="brand"),
    path("brand/export.csv", views.brand_csv, name="brand-csv"),
    path("brand/heatmap.csv", views.brand_heatmap_csv, name="brand-heatmap-csv"),
    path("stores/<int:store_id>/", views.store_page, name="store"),
    path("stores/<int:store_id>/visitorsflow/", views.visitorsflow_page, name="store-visitorsflow"),
    path("stores/<int:store_id>/panels/", views.store_panels, name="store-panels"),
    path("stores/<int:store_id>/export/<slug:table>.csv", views.store_csv, name="store-csv"),
]
