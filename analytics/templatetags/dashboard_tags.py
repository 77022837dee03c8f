"""Template filters of the dashboards: durations and percentage changes in the page language."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """``125.4`` → "2 min 5 s" (Turkish: "2 dk 5 sn"); empty stays a dash."""
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    minutes, rest = divmod(total, 60)
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": number_format(minutes, force_grouping=True), "s": rest}
    return _("%(s)s s") % {"s": rest}


@register.filter
def signed_percent(value: float | None) -> str:
    """``12.5`` → "+12,5 %" in Turkish, "+12.5 %" in English."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number_format(abs(value), 1, force_grouping=True)} %"


@register.filter
def count(value: int | float | None) -> str:
    """An integer with the language's thousands separator ("12.345" in Turkish)."""
    if value is None:
        return "–"
    return number_format(value, 0, force_grouping=True)


@register.filter
def decimal1(value: float | None) -> str:
    if value is None:
        return "–"
    return number_format(value, 1, force_grouping=True)
