"""CSV files of every table the dashboards show, built from the same data as the pages.

Values are machine-readable (ISO 8601 times with offset, dot decimals) whatever the page
language, and text cells that a spreadsheet would run as a formula are defused, because zone and
cashier names arrive from store senders and are not trusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a UTF-8 BOM, so spreadsheet programs read Turkish letters correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def footfall(data: dict[str, Any]) -> str:
    return render(
        ("period", "sender_entered", "sender_exited", "camera_enters", "camera_exits"),
        (
            (r["period"], r["sender_entered"], r["sender_exited"], r["camera_enters"], r["camera_exits"])
            for r in data["footfall"]
        ),
    )


def occupancy(data: dict[str, Any]) -> str:
    return render(("hour", "inside"), ((r["period"], r["inside"]) for r in data["occupancy"]))


def demographics(data: dict[str, Any]) -> str:
    return render(("measure", "count"), data["demographics"].items())


def camera_demographics(data: dict[str, Any]) -> str:
    """The cameras' totals, labelled by source (``camera``), in their own bands."""
    return render(
        ("source", "measure", "count"), [("camera", k, v) for k, v in (data["camera_demographics"] or {}).items()]
    )


def zones(data: dict[str, Any]) -> str:
    return render(
        ("zone", "visitors", "avg_dwell_seconds"), ((r["zone"], r["visitors"], r["avg_dwell"]) for r in data["zones"])
    )


def queues(data: dict[str, Any]) -> str:
    return render(
        ("cashier", "customers", "avg_wait_seconds", "worst_hour", "worst_hour_wait_seconds"),
        (
            (r["cashier"], r["customers"], r["avg_wait"], r["worst_hour"], r["worst_wait"])
            for r in data["queues"]["cashiers"]
        ),
    )


def queue_periods(data: dict[str, Any]) -> str:
    return render(
        ("period", "customers", "avg_wait_seconds", "worst"),
        ((r["period"], r["customers"], r["avg_wait"], r["worst"]) for r in data["queues"]["periods"]),
    )


def comparison(data: dict[str, Any]) -> str:
    return render(
        ("measure", "current", "previous", "change_percent"),
        ((name, v["current"], v["previous"], v["change"]) for name, v in data["comparison"].items()),
    )


def devices(data: dict[str, Any]) -> str:
    return render(
        ("device_id", "name", "online", "last_seen", "state", "last_data_at"),
        (
            tuple(d.get(name) for name in ("device_id", "name", "online", "last_seen", "state", "last_data_at"))
            for d in data["devices"]
        ),
    )


def sales(data: dict[str, Any]) -> str:
    """Till figures per period with the conversion (empty where the hour has not both sides)."""
    currency = data["sales"]["currency"]
    return render(
        (
            "period",
            "visitors",
            "transactions",
            "conversion_percent",
            f"revenue_{currency}",
            "items",
            "average_transaction_value",
            "sales_per_visitor",
            "hours_matched",
        ),
        (
            (
                r["period"],
                f.visitors,
                f.transactions,
                f.conversion,
                f.revenue,
                f.items,
                f.average_transaction_value,
                f.sales_per_visitor,
                f.hours_matched,
            )
            for r in data["sales"]["rows"]
            for f in [r["figures"]]
        ),
    )


STORE_TABLES = {
    "footfall": footfall,
    "occupancy": occupancy,
    "demographics": demographics,
    "camera-demographics": camera_demographics,
    "zones": zones,
    "queues": queues,
    "queue-hours": queue_periods,
    "comparison": comparison,
    "devices": devices,
    "sales": sales,
}


BRAND_COMPARISON_COLUMNS = (
    "visitors",
    "visitors_rank",
    "previous_visitors",
    "visitors_vs_previous",
    "year_visitors",
    "visitors_vs_year",
    "conversion",
    "conversion_rank",
    "previous_conversion",
    "conversion_vs_previous",
    "year_conversion",
    "conversion_vs_year",
    "transactions",
    "revenue",
    "currency",
    "average_transaction_value",
    "sales_per_visitor",
)


def brand(rows: list[dict[str, Any]]) -> str:
    """One line per store; comparison changes in percent, conversion's in percentage points."""
    return render(
        (
            "store_id",
            "store",
            "footfall",
            "occupancy_peak",
            "avg_wait_seconds",
            "devices",
            "devices_offline",
            *BRAND_COMPARISON_COLUMNS,
        ),
        (
            (
                r["store"].pk,
                r["name"],
                r["footfall"],
                r["occupancy_peak"],
                r["avg_wait"],
                r["devices"],
                r["devices_offline"],
                *(r.get(name) for name in BRAND_COMPARISON_COLUMNS),
            )
            for r in rows
        ),
    )


def heatmap(grid: dict[str, Any]) -> str:
    """ISO weekday (1 = Monday) by local hour; empty where no hour had the figure."""
    return render(
        ("iso_weekday", "hour", grid["metric"]),
        ((row["dow"], cell["hour"], cell["value"]) for row in grid["rows"] for cell in row["cells"]),
    )
