"""Template filters of the dashboards: durations and percentage changes in the page language.

A brand page formats some 500 numbers; Django's ``number_format`` costs ~14 µs a call on the
slow machine, the fast paths about half of that. They produce exactly
what ``number_format(value, decimal_pos, force_grouping=True)`` would (the tests compare both in
every language of the site) and hand anything they do not cover back to it.
"""

from __future__ import annotations

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _grouped_int(value: int, lang: str | None) -> str | None:
    """``value`` grouped like ``number_format(value, 0, force_grouping=True)``, or None where
    the language's grouping is not Python's (groups of 3) and does not vanish either."""
    separator = get_format("THOUSAND_SEPARATOR", lang)
    grouping = get_format("NUMBER_GROUPING", lang)
    if grouping == 3:
        return f"{value:,}".replace(",", separator)
    if separator == "" and grouping != 0:
        # Groups joined by nothing (Traditional Chinese groups by 4 with no separator).
        return str(value)
    return None


def grouped(value: object, decimal_pos: int | None = 0) -> str:
    """``number_format(value, decimal_pos, force_grouping=True)``, faster for plain ints and
    for finite floats with one decimal; anything else goes to Django.

    ``get_language()`` (an asgiref ``Local`` read, ~4 µs) is the larger part of what remains:
    asked once here, as ``number_format`` does, not once per ``get_format``."""
    if type(value) is int and not decimal_pos:  # not bool: Django would group "True"
        text = _grouped_int(value, get_language())
        if text is not None:
            return text
    elif decimal_pos == 1 and type(value) is float:
        # Django truncates the float's repr to one decimal (no rounding): "12.96" → "12.9".
        digits = repr(value)
        if "e" not in digits and "." in digits:  # not 1e16, inf or nan
            int_part, _sep, dec_part = digits.partition(".")
            sign = "-" if int_part[0] == "-" else ""
            lang = get_language()
            text = _grouped_int(int(int_part.lstrip("-")), lang)
            if text is not None:
                return f"{sign}{text}{get_format('DECIMAL_SEPARATOR', lang)}{dec_part[0]}"
    return number_format(value, decimal_pos, force_grouping=True)


@register.filter
def duration(seconds: float | None) -> str:
    """``125.4`` → "2 min 5 s" (Turkish: "2 dk 5 sn"); empty stays a dash."""
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    minutes, rest = divmod(total, 60)
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": grouped(minutes, None), "s": rest}
    return _("%(s)s s") % {"s": rest}


@register.filter
def signed_percent(value: float | None) -> str:
    """``12.5`` → "+12,5 %" in Turkish, "+12.5 %" in English."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{grouped(abs(value), 1)} %"


@register.filter
def count(value: int | float | None) -> str:
    """An integer with the language's thousands separator ("12.345" in Turkish)."""
    if value is None:
        return "–"
    return grouped(value, 0)


@register.filter
def decimal1(value: float | None) -> str:
    """One decimal with the language's separators ("1.234,5" in Turkish)."""
    if value is None:
        return "–"
    return grouped(value, 1)
