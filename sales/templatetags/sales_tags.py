"""Number filters of the till figures, in the page language (missing stays a dash)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from analytics.templatetags.dashboard_tags import grouped

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """``1530.5`` → "1.530,50" in Turkish, "1,530.50" in English."""
    if value is None:
        return "–"
    return grouped(value, 2)


@register.filter
def percent(value: float | None) -> str:
    """A conversion: "23,5 %" in Turkish; None (no hour with both sides) is a dash, never 0 %."""
    if value is None:
        return "–"
    return f"{grouped(float(value), 1)} %"


@register.filter
def signed_points(value: float | None) -> str:
    """A change of a rate in percentage points: "+5,0 pp" in Turkish ("yp"), "+5.0 pp" in English."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return _("%(sign)s%(value)s pp") % {"sign": sign, "value": grouped(abs(float(value)), 1)}
