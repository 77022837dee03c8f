"""Template filters of the dashboards: durations and percentage changes in the page language.

A brand page formats some 1,500 numbers; Django's ``number_format`` costs ~14 µs a call on the
slow machine, the fast paths about half of that. They produce exactly
what ``number_format(value, decimal_pos, force_grouping=True)`` would (the tests compare both in
every language of the site) and hand anything they do not cover back to it.

``get_language()`` (an asgiref ``Local`` read, ~4 µs) is the larger part of what remains: a
caller formatting many numbers (``analytics.brand_table``) asks it once and passes it as
``lang`` (keyword only, so templates never see it); it must be the active language.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

ACTIVE: Any = object()  # ``lang`` not given: ask get_language()
T = TypeVar("T")


_PER_LANGUAGE: list[dict] = []  # every cache of ``per_language``, forgotten together


def per_language(compute: Callable[[str | None], T]) -> Callable[[str | None], T]:
    """``compute(lang)`` asked once per language ``lang`` (the active one, which a computation
    such as gettext reads by itself); forgotten whenever a setting changes, as Django forgets its own format and
    translation caches. ``None`` (translations deactivated) is never remembered."""
    cache: dict[str, T] = {}
    _PER_LANGUAGE.append(cache)

    def cached(lang: str | None) -> T:
        found = cache.get(lang) if lang is not None else None
        if found is None:
            found = compute(lang)
            if lang is not None:
                cache[lang] = found
        return found

    return cached


@receiver(setting_changed)
def _forget_per_language(**kwargs: Any) -> None:
    for cache in _PER_LANGUAGE:
        cache.clear()


# A language's thousands separator, grouping and decimal separator, as ``get_format`` gives them
# (three ``get_format`` calls a number were ~1.5 ms of a brand page).
_formats = per_language(
    lambda lang: (
        get_format("THOUSAND_SEPARATOR", lang),
        get_format("NUMBER_GROUPING", lang),
        get_format("DECIMAL_SEPARATOR", lang),
    )
)


def _grouped_int(value: int, lang: str | None) -> str | None:
    """``value`` grouped like ``number_format(value, 0, force_grouping=True)``, or None where
    the language's grouping is not Python's (groups of 3) and does not vanish either."""
    separator, grouping, _decimal = _formats(lang)
    if grouping == 3:
        return f"{value:,}".replace(",", separator)
    if separator == "" and grouping != 0:
        # Groups joined by nothing (Traditional Chinese groups by 4 with no separator).
        return str(value)
    return None


def _grouped_digits(digits: str, decimal_pos: int, lang: str | None) -> str | None:
    """A plain ``[-]int[.frac]`` numeral as Django's ``numberformat.format`` shows it with
    ``decimal_pos`` decimals: the fraction cut (never rounded) or padded with zeros."""
    sign = "-" if digits[0] == "-" else ""
    int_part, _sep, dec_part = digits.lstrip("-").partition(".")
    text = _grouped_int(int(int_part), lang)
    if text is None:
        return None
    dec_part = dec_part[:decimal_pos].ljust(decimal_pos, "0")
    return f"{sign}{text}{_formats(lang)[2]}{dec_part}"


_QUANTA: dict[int, Decimal] = {}


def _grouped_quantized(value: Decimal, decimal_pos: int, lang: str | None) -> str | None:
    """A finite Decimal with exactly ``decimal_pos`` decimals (money: two), not 0 and short of
    Django's 200-digit cut-off, in a language that groups by 3: Django neither cuts nor pads
    it, so it is Python's own ``,.2f`` with the language's separators (~1 µs instead of ~3.5 µs
    a value; a brand page shows ~300). None for anything else."""
    quantum = _QUANTA.get(decimal_pos)
    if quantum is None:
        quantum = _QUANTA[decimal_pos] = Decimal(1).scaleb(-decimal_pos)
    if lang is None or not value or not value.same_quantum(quantum) or value.adjusted() > 190:
        return None
    separator, grouping, decimal = _formats(lang)
    if grouping != 3:
        return None
    text = format(value, f",.{decimal_pos}f")
    if separator == "," and decimal == ".":
        return text
    return text.replace(",", "\0").replace(".", decimal).replace("\0", separator)


def grouped(value: object, decimal_pos: int | None = 0, *, lang: Any = ACTIVE) -> str:
    """``number_format(value, decimal_pos, force_grouping=True)``, faster for plain ints, for
    finite floats with one decimal and for finite Decimals with decimals (money); anything else
    goes to Django."""
    if lang is ACTIVE:
        lang = get_language()
    if type(value) is int and not decimal_pos:  # not bool: Django would group "True"
        text = _grouped_int(value, lang)
        if text is not None:
            return text
    elif decimal_pos == 1 and type(value) is float:
        # Django truncates the float's repr to one decimal (no rounding): "12.96" → "12.9".
        digits = repr(value)
        if "e" not in digits and "." in digits:  # not 1e16, inf or nan
            text = _grouped_digits(digits, 1, lang)
            if text is not None:
                return text
    elif decimal_pos and type(value) is Decimal and value.is_finite():
        text = _grouped_quantized(value, decimal_pos, lang)
        if text is not None:
            return text
        # As Django: a value too small for the decimals shown is 0 ("-0.001" → "0.00"), then
        # its plain numeral ("{:f}", short of Django's 200-digit scientific cut-off) is cut.
        if abs(value) < Decimal(1).scaleb(-decimal_pos):
            value = Decimal(0)
        _sign, numerals, exponent = value.as_tuple()
        if abs(int(exponent)) + len(numerals) <= 200:
            text = _grouped_digits(f"{value:f}", decimal_pos, lang)
            if text is not None:
                return text
    return number_format(value, decimal_pos, force_grouping=True)


@register.filter
def duration(seconds: float | None, *, lang: Any = ACTIVE) -> str:
    """``125.4`` → "2 min 5 s" (Turkish: "2 dk 5 sn"); empty stays a dash."""
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    minutes, rest = divmod(total, 60)
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": grouped(minutes, None), "s": rest}
    return _("%(s)s s") % {"s": rest}


@register.filter
def signed_percent(value: float | None, *, lang: Any = ACTIVE) -> str:
    """``12.5`` → "+12,5 %" in Turkish, "+12.5 %" in English."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{grouped(abs(value), 1, lang=lang)} %"


@register.filter
def count(value: int | float | None, *, lang: Any = ACTIVE) -> str:
    """An integer with the language's thousands separator ("12.345" in Turkish)."""
    if value is None:
        return "–"
    return grouped(value, 0, lang=lang)


@register.filter
def decimal1(value: float | None, *, lang: Any = ACTIVE) -> str:
    """One decimal with the language's separators ("1.234,5" in Turkish)."""
    if value is None:
        return "–"
    return grouped(value, 1, lang=lang)
