"""Dashboard pages: the store list, a store's dashboard (and its live-refresh fragment), the
brand comparison and CSV exports. Thin: scoping through ``Store.objects.visible_to`` (another
tenant's store is a 404, never a 403), figures from ``analytics.dashboard``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from analytics import brand_table, comparison, csv_export
from analytics.dashboard import (
    BRAND_SORT_KEYS,
    brand_view,
    chart_data,
    store_dashboard,
    store_range,
    stores_overview,
    visitorsflow_sites,
    with_heartbeat,
)
from stores.api.params import parse_report_range
from stores.models import Role, Store
from visitorsflow.selectors import activity as visitorsflow_activity


def visible_store(request: HttpRequest, store_id: int) -> Store:
    return get_object_or_404(Store.objects.visible_to(request.user).select_related("tenant"), pk=store_id)


def is_brand_admin(user) -> bool:
    membership = getattr(user, "membership", None)
    return user.is_superuser or (membership is not None and membership.role == Role.BRAND_ADMIN)


def requested_range(request: HttpRequest, store: Store):
    """The ``from``/``to`` days of the query string in the store's zone, or the errors to show."""
    params = {key: request.GET.get(key) for key in ("from", "to")}
    try:
        parsed = parse_report_range(params, store.timezone)
    except ValidationError as exc:
        return None, {field: [str(message) for message in messages] for field, messages in exc.detail.items()}
    return store_range(store, parsed.first_day, parsed.last_day), {}


def presets(store: Store) -> list[tuple[str, date, date]]:
    """Quick ranges for the range picker, in the store's own calendar."""
    today = timezone.now().astimezone(ZoneInfo(store.timezone)).date()
    return [
        (_("Today"), today, today),
        (_("Yesterday"), today - timedelta(days=1), today - timedelta(days=1)),
        (_("Last 7 days"), today - timedelta(days=6), today),
        (_("Last 30 days"), today - timedelta(days=29), today),
    ]


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def store_list(request: HttpRequest) -> HttpResponse:
    stores = with_heartbeat(Store.objects.visible_to(request.user))
    context = {"rows": stores_overview(stores, timezone.now()), "brand_admin": is_brand_admin(request.user)}
    return render(request, "dashboard/store_list.html", context)


def store_context(request: HttpRequest, store: Store):
    rng, errors = requested_range(request, store)
    if rng is None:
        return None, errors
    data = store_dashboard(store, rng, timezone.now())
    return {"data": data, "charts": chart_data(data), "query": request.GET.urlencode()}, {}


@require_GET
@login_required
def store_page(request: HttpRequest, store_id: int) -> HttpResponse:
    store = visible_store(request, store_id)
    context, errors = store_context(request, store)
    if context is None:
        return render(request, "dashboard/range_error.html", {"store": store, "errors": errors}, status=400)
    ai = context["data"]["ai"]
    context["live"] = {
        "ws_path": f"/ws/stores/{store.pk}/",
        "panels_url": reverse("dashboard:store-panels", args=[store.pk])
        + (f"?{context['query']}" if context["query"] else ""),
        "last_heartbeat": ai["last_heartbeat"],
        "timeout_seconds": store.inactivity_timeout_minutes * 60,
        "server_now": context["data"]["now"].isoformat(),
        "timezone": store.timezone,
        "labels": {
            "sender": _("Sender (AI)"),
            "camera": _("People-counting cameras"),
            "previous": _("Previous period (sender)"),
            "inside": _("People inside"),
            "male": _("Men"),
            "female": _("Women"),
            "age": [_("18–30"), _("30–50"), _("50+")],
            "visitors": _("Visitors"),
            "wait": _("Average wait (s)"),
            "online": _("online"),
            "offline": _("offline since %(time)s"),
            "never": _("no heartbeat yet"),
            "live": _("Live: new data appears without reloading."),
            "reconnecting": _("Live updates interrupted, reconnecting…"),
        },
    }
    context["presets"] = presets(store)
    context["ai_last"] = datetime.fromisoformat(ai["last_heartbeat"]) if ai["last_heartbeat"] else None
    return render(request, "dashboard/store.html", context)


@require_GET
@login_required
def store_panels(request: HttpRequest, store_id: int) -> HttpResponse:
    """The page's figures as an HTML fragment, re-fetched by the page when a live event arrives."""
    store = visible_store(request, store_id)
    context, errors = store_context(request, store)
    if context is None:
        return HttpResponse(status=400)
    return render(request, "dashboard/_panels.html", context)


@require_GET
@login_required
def store_csv(request: HttpRequest, store_id: int, table: str) -> HttpResponse:
    store = visible_store(request, store_id)
    if table not in csv_export.STORE_TABLES:
        raise Http404
    rng, errors = requested_range(request, store)
    if rng is None:
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = store_dashboard(store, rng, timezone.now())
    name = f"{store.code}_{table}_{rng.first_day.isoformat()}_{rng.last_day.isoformat()}.csv"
    return csv_response(csv_export.STORE_TABLES[table](data), name)


def brand_context(request: HttpRequest):
    if not is_brand_admin(request.user):
        raise PermissionDenied  # the page exists; this user may not see it (403, not 404)
    stores = list(Store.objects.visible_to(request.user))  # nothing here reads store.tenant
    # "Today" of the brand is that of its first store; each store is then read in its own zone.
    zone = stores[0].timezone if stores else settings.TIME_ZONE
    try:
        parsed = parse_report_range({key: request.GET.get(key) for key in ("from", "to")}, zone)
    except ValidationError as exc:
        return None, {field: [str(m) for m in messages] for field, messages in exc.detail.items()}
    sort = request.GET.get("sort", "name")
    sort = sort if sort in BRAND_SORT_KEYS else "name"
    descending = request.GET.get("dir") == "desc"
    # One store's daily line and heatmap instead of the brand's: only a store of this brand
    # (anything else, a foreign id included, is just the brand view: nothing to tell apart).
    by_id = {str(store.pk): store for store in stores}
    focus = by_id.get(request.GET.get("store", ""))
    heat_metric = "conversion" if request.GET.get("heat") == "conversion" else "visitors"
    view = brand_view(
        stores,
        parsed.first_day,
        parsed.last_day,
        timezone.now(),
        sort,
        descending,
        focus.pk if focus else None,
        heat=heat_metric,  # the heatmap's sums of the metric shown only
    )
    rows = view["rows"]
    # Per-row links built here: a {% url %} and two |date filters per row in the template cost
    # more than the rest of the row for 100 stores.
    range_query = urlencode(
        {"from": parsed.first_day.isoformat(), "to": parsed.last_day.isoformat()}
        | ({"store": focus.pk} if focus else {})
        | ({"heat": heat_metric} if heat_metric != "visitors" else {})
    )
    # reverse() once (~50 µs a call): store URLs differ only in the id.
    days_query = urlencode({"from": parsed.first_day.isoformat(), "to": parsed.last_day.isoformat()})
    sentinel = 999_999_999
    store_url = reverse("dashboard:store", args=[sentinel]).replace(str(sentinel), "{}")
    for row in rows:
        row["url"] = f"{store_url.format(row['store'].pk)}?{days_query}"
    figures = view["figures"]
    return {
        "medians": view["medians"],
        "currency": view["currency"],
        "focus": focus,
        "stores": stores,
        "heat_metric": heat_metric,
        "heatmap": comparison.heatmap_grid(figures.heatmap["store" if focus else "brand"], heat_metric),
        "chart": comparison.chart_series(figures, parsed.first_day, parsed.last_day),
        "chart_labels": {
            "visitors": _("Visitors (brand)"),
            "conversion": _("Conversion % (brand)"),
            "store_visitors": _("Visitors (%(store)s)") % {"store": focus.name} if focus else "",
            "store_conversion": _("Conversion %% (%(store)s)") % {"store": focus.name} if focus else "",
        },
        "previous_days": figures.days["previous"],
        "year_days": figures.days["year"],
        "rows": rows,
        "range_query": range_query,
        "first_day": parsed.first_day,
        "last_day": parsed.last_day,
        "sort": sort,
        "descending": descending,
        "columns": [
            ("name", _("Store")),
            ("footfall", _("Footfall")),
            ("occupancy_peak", _("Occupancy peak")),
            ("avg_wait", _("Average wait")),
            ("devices_offline", _("Devices offline")),
            ("visitors", _("Visitors")),
            ("visitors_vs_previous", _("vs previous")),
            ("visitors_vs_year", _("vs a year before")),
            ("conversion", _("Conversion")),
            ("conversion_vs_previous", _("vs previous (pts)")),
            ("conversion_vs_year", _("vs a year before (pts)")),
            ("transactions", _("Transactions")),
            ("revenue", _("Revenue")),
            ("average_transaction_value", _("Average transaction")),
            ("sales_per_visitor", _("Sales per visitor")),
        ],
    }, {}


@require_GET
@login_required
def brand_page(request: HttpRequest) -> HttpResponse:
    context, errors = brand_context(request)
    if context is None:
        return render(request, "dashboard/range_error.html", {"errors": errors}, status=400)
    # The table body, the store picker and the heatmap's rows as strings (analytics.brand_table);
    # the template keeps the rest.
    context["table_rows"] = brand_table.rows_html(context["rows"], context["currency"])
    context["store_options"] = brand_table.store_options(context["stores"], context["focus"])
    context["heatmap_rows"] = brand_table.heatmap_rows(context["heatmap"])
    return render(request, "dashboard/brand.html", context)


@require_GET
@login_required
def brand_csv(request: HttpRequest) -> HttpResponse:
    context, errors = brand_context(request)
    if context is None:
        return HttpResponse(status=400)
    name = f"brand_{context['first_day'].isoformat()}_{context['last_day'].isoformat()}.csv"
    return csv_response(csv_export.brand(context["rows"]), name)


@require_GET
@login_required
def brand_heatmap_csv(request: HttpRequest) -> HttpResponse:
    """The hour × weekday heatmap shown (brand or ``store``, visitors or conversion) as CSV."""
    context, errors = brand_context(request)
    if context is None:
        return HttpResponse(status=400)
    name = f"brand_heatmap_{context['first_day'].isoformat()}_{context['last_day'].isoformat()}.csv"
    return csv_response(csv_export.heatmap(context["heatmap"]), name)


@require_GET
@login_required
def visitorsflow_page(request: HttpRequest, store_id: int) -> HttpResponse:
    """Today's VisitorsFlow counts of a store's sites (these sites' staff read Traditional Chinese)."""
    store = visible_store(request, store_id)
    context = {"store": store, "sites": visitorsflow_sites(store, timezone.now()), "now": timezone.now()}
    context["activity"] = visitorsflow_activity(store, timezone.now())  # files, events, exports
    return render(request, "dashboard/visitorsflow.html", context)
