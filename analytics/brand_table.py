"""The brand table's body (``dashboard/brand.html``): 100 stores × 15 columns as HTML, the
focus store picker's options and the heatmap's rows (each another ~1–2 ms of template loops).

Rendered through the template, each of the ~1,500 cells cost a variable lookup, a filter call
(each asking the active language again), localisation and autoescaping: ~20 ms of the page's
CPU for 100 stores. Here each row is one string, the language is asked once, and every text is
escaped as the template's autoescape would (``html.escape`` is what ``django.utils.html.escape``
applies), so the markup is byte for byte what the template loop produced.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics.templatetags.dashboard_tags import count, duration, signed_percent
from sales.templatetags.sales_tags import money, percent, signed_points

_ROW = """
    <tr data-store="{pk}">
      <th scope="row"><a href="{url}">{name}</a></th>
      <td class="num">{footfall}</td>
      <td class="num">{peak}</td>
      <td class="num">{wait}</td>
      <td class="num">{offline} / {devices}</td>
      <td class="num">{visitors}{visitors_rank}</td>
      <td class="num">{visitors_vs_previous}</td>
      <td class="num">{visitors_vs_year}</td>
      <td class="num">{conversion}{conversion_rank}</td>
      <td class="num">{conversion_vs_previous}</td>
      <td class="num">{conversion_vs_year}</td>
      <td class="num">{transactions}</td>
      <td class="num">{revenue}{currency}</td>
      <td class="num">{average_transaction_value}</td>
      <td class="num">{sales_per_visitor}</td>
    </tr>
  """


def _rank(rank: int | None) -> str:
    return f' <span class="rank">#{rank}</span>' if rank else ""


def rows_html(rows: list[dict[str, Any]], currency: str | None) -> SafeString:
    """The ``<tr>`` of each row (``brand_view``'s rows with their ``url``), in order. Where the
    stores keep different currencies (``currency`` None) revenue names its own."""
    lang = get_language()
    parts = []
    for row in rows:
        revenue = row["revenue"]
        parts.append(
            _ROW.format(
                pk=escape(str(row["store"].pk)),
                url=escape(row["url"]),
                name=escape(str(row["name"])),
                footfall=escape(count(row["footfall"], lang=lang)),
                peak=escape(count(row["occupancy_peak"], lang=lang)),
                wait=escape(duration(row["avg_wait"], lang=lang)),
                offline=escape(count(row["devices_offline"], lang=lang)),
                devices=escape(count(row["devices"], lang=lang)),
                visitors=escape(count(row["visitors"], lang=lang)),
                visitors_rank=_rank(row["visitors_rank"]),
                visitors_vs_previous=escape(signed_percent(row["visitors_vs_previous"], lang=lang)),
                visitors_vs_year=escape(signed_percent(row["visitors_vs_year"], lang=lang)),
                conversion=escape(percent(row["conversion"], lang=lang)),
                conversion_rank=_rank(row["conversion_rank"]),
                conversion_vs_previous=escape(signed_points(row["conversion_vs_previous"], lang=lang)),
                conversion_vs_year=escape(signed_points(row["conversion_vs_year"], lang=lang)),
                transactions=escape(count(row["transactions"], lang=lang)),
                revenue=escape(money(revenue, lang=lang)),
                currency=f" {escape(str(row['currency']))}" if revenue is not None and not currency else "",
                average_transaction_value=escape(money(row["average_transaction_value"], lang=lang)),
                sales_per_visitor=escape(money(row["sales_per_visitor"], lang=lang)),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def store_options(stores: list[Any], focus: Any | None) -> SafeString:
    """The ``<option>`` of each store for the chart and heatmap picker, ``focus`` selected."""
    selected = focus.pk if focus else None
    return mark_safe(  # noqa: S308 - the names are escaped
        "".join(
            f'<option value="{escape(str(store.pk))}"{" selected" if store.pk == selected else ""}>'
            f"{escape(str(store.name))}</option>"
            for store in stores
        )
    )


def heatmap_rows(heatmap: dict[str, Any]) -> SafeString:
    """The ``<tr>`` of each weekday of ``comparison.heatmap_grid``: its name, then each hour's
    value (visitors counted, or conversion) with its colour step."""
    lang = get_language()
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    shown = count if heatmap["metric"] == "visitors" else percent
    parts = []
    for n, row in enumerate(heatmap["rows"]):
        parts.append(f'<tr><th scope="row">{escape(names[n % 7])}</th>')
        for cell in row["cells"]:
            level = cell["level"]
            step = f" heat-{escape(str(level))}" if level is not None else ""
            parts.append(f'<td class="num{step}">{escape(shown(cell["value"], lang=lang))}</td>')
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
