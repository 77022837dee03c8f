"""Number filters of the till figures, in the page language (missing stays a dash).

``lang``: as in ``analytics.templatetags.dashboard_tags`` (the active language, asked once by a
caller formatting many numbers; keyword only, so templates never see it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics.templatetags.dashboard_tags import ACTIVE, grouped

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


_POINTS: dict[str, str] = {}


def _points(lang: str | None) -> str:
    """The translated "%(sign)s%(value)s pp" of the active language ``lang``, asked once per
    language (gettext was ~3.5 µs of the ~5 µs a value; 200 values a brand page); forgotten
    whenever a setting changes, as Django forgets its translations."""
    found = _POINTS.get(lang) if lang is not None else None
    if found is None:
        found = _("%(sign)s%(value)s pp")
        if lang is not None:  # None: translations deactivated, nothing to remember it by
            _POINTS[lang] = found
    return found


@receiver(setting_changed)
def _forget_points(**kwargs: Any) -> None:
    _POINTS.clear()


@register.filter
def signed_points(value: float | None, *, lang: Any = ACTIVE) -> str:
    """A change of a rate in percentage points: "+5,0 pp" in Turkish ("yp"), "+5.0 pp" in English."""
    if value is None:
        return "–"
    if lang is ACTIVE:
        lang = get_language()
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return _points(lang) % {"sign": sign, "value": grouped(abs(float(value)), 1, lang=lang)}
