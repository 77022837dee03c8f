"""Number filters of the till figures, in the page language (missing stays a dash).

``lang``: as in ``analytics.templatetags.dashboard_tags`` (the active language, asked once by a
caller formatting many numbers; keyword only, so templates never see it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics.templatetags.dashboard_tags import ACTIVE, grouped, per_language

register = template.Library()


@register.filter
def money(value: Decimal | None, *, lang: Any = ACTIVE) -> str:
    """``1530.5`` → "1.530,50" in Turkish, "1,530.50" in English."""
    if value is None:
        return "–"
    return grouped(value, 2, lang=lang)


@register.filter
def percent(value: float | None, *, lang: Any = ACTIVE) -> str:
    """A conversion: "23,5 %" in Turkish; None (no hour with both sides) is a dash, never 0 %."""
    if value is None:
        return "–"
    return f"{grouped(float(value), 1, lang=lang)} %"


# The translated pattern of the active language (gettext was ~3.5 µs of the ~5 µs a value; a
# brand page shows ~200).
_points = per_language(lambda lang: _("%(sign)s%(value)s pp"))


@register.filter
def signed_points(value: float | None, *, lang: Any = ACTIVE) -> str:
    """A change of a rate in percentage points: "+5,0 pp" in Turkish ("yp"), "+5.0 pp" in English."""
    if value is None:
        return "–"
    if lang is ACTIVE:
        lang = get_language()
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return _points(lang) % {"sign": sign, "value": grouped(abs(float(value)), 1, lang=lang)}
