"""The dashboard number filters' fast paths give exactly what Django's ``number_format`` gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.formats import number_format

from analytics.templatetags.dashboard_tags import count, decimal1, duration, grouped, signed_percent
from sales.templatetags.sales_tags import money, percent, signed_points

# The site's languages, plus a grouping Python does not do (Hindi: none by default, Indian
# groups when NUMBER_GROUPING says so) and a separator that is not ASCII (French: no-break space).
LANGUAGES = ["tr", "en", "zh-hant", "hi", "fr"]
INTS = [0, 7, 999, 1000, 12345, 99999, 1234567, 123456789012, -1, -999, -1000, -1234, -1234567]
FLOATS = [0.0, -0.0, 0.05, 7.0, 12.34, 12.96, 999.99, 1000.0, 1234.5, 1234567.89, -0.5, -1234.56, 1e15, 1e16, 1e-7]
# Money as the till sums give it, and what Django treats specially: too small for the decimals
# shown (0), negative zero, exponents, more than 200 digits (scientific). (Django raises on
# NaN and infinities; the fast path hands them to it.)
DECIMALS = [
    *(Decimal(text) for text in ("0", "0.00", "-0.00", "0.001", "-0.001", "0.005", "0.01", "-0.01", "7", "12.3")),
    *(Decimal(text) for text in ("137.25", "99.999", "1234.5", "-1234.56", "543510.00", "1234567.891")),
    *(Decimal(text) for text in ("123456789012.34", "1E+3", "-1E+5", "1.5E-1", "1E+250", "1E-300")),
    # Exactly two decimals (Python's own formatting): signs, groups, 0.10, a long numeral, and
    # a numeral at Django's cut-off (2 + 198 digits plain, one digit more scientific).
    *(Decimal(text) for text in ("-137.25", "0.10", "-0.10", "-543510.00", "1000.00", "999.99")),
    *(Decimal(text) for text in ("12345678901234567890.12", "1" * 196 + ".25", "1" * 197 + ".25")),
    Decimal("1.25E+2").quantize(Decimal("0.01")),
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_integers_match_number_format(lang):
    with translation.override(lang):
        for value in INTS:
            assert grouped(value, 0) == number_format(value, 0, force_grouping=True), value
            assert grouped(value, None) == number_format(value, force_grouping=True), value
            assert count(value) == number_format(value, 0, force_grouping=True), value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_floats_match_number_format(lang):
    with translation.override(lang):
        for value in FLOATS + [float("inf"), float("-inf"), float("nan")] + INTS:
            assert decimal1(value) == number_format(value, 1, force_grouping=True), value
            assert count(value) == number_format(value, 0, force_grouping=True), value
            assert signed_percent(value)[1:-2] == number_format(abs(value), 1, force_grouping=True), value


def test_exact_strings_in_the_site_languages():
    expected = {
        "tr": ("1.234.567", "-1.234", "1.234,5", "20 dk 34 sn"),
        "en": ("1,234,567", "-1,234", "1,234.5", "20 min 34 s"),
        "zh-hant": ("1234567", "-1234", "1234.5", None),
    }
    for lang, (big, negative, decimal, minutes) in expected.items():
        with translation.override(lang):
            assert (count(1234567), count(-1234), decimal1(1234.56)) == (big, negative, decimal)
            if minutes:
                assert duration(1234.4) == minutes


@override_settings(NUMBER_GROUPING=(3, 2, 0))
def test_groupings_python_does_not_do_go_to_django():
    with translation.override("hi"):  # no NUMBER_GROUPING of its own: the setting's Indian one
        assert count(12345678) == "1,23,45,678" == number_format(12345678, 0, force_grouping=True)
        assert decimal1(12345678.9) == "1,23,45,678.9"


def test_bools_and_other_types_go_to_django():
    with translation.override("tr"):
        for value in [True, False, "12345", "1234.5", Decimal("1234.56"), Decimal("-1234")]:
            assert count(value) == number_format(value, 0, force_grouping=True)
            assert decimal1(value) == number_format(value, 1, force_grouping=True)
        assert (count(None), decimal1(None), duration(None), signed_percent(None)) == ("–", "–", "–", "–")


def test_durations_with_thousands_of_minutes():
    for lang in LANGUAGES:
        with translation.override(lang):
            assert duration(60 * 12345 + 7) == duration(60 * 12345 + 7.2)
            assert number_format(12345, force_grouping=True) in duration(60 * 12345 + 7)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_decimals_match_number_format(lang):
    with translation.override(lang):
        for value in DECIMALS:
            assert money(value) == number_format(value, 2, force_grouping=True), value
            assert grouped(value, 1) == number_format(value, 1, force_grouping=True), value
            assert grouped(value, 3) == number_format(value, 3, force_grouping=True), value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_passed_once_gives_the_same_text(lang):
    """``lang=`` (a caller formatting a table asks the language once) changes nothing."""
    with translation.override(lang):
        active = translation.get_language()
        for value in [None, *INTS, *FLOATS]:
            assert count(value, lang=active) == count(value), value
            assert decimal1(value, lang=active) == decimal1(value), value
            assert signed_percent(value, lang=active) == signed_percent(value), value
            assert percent(value, lang=active) == percent(value), value
            assert signed_points(value, lang=active) == signed_points(value), value
            if value is None or abs(value) < 1e12:
                assert duration(value, lang=active) == duration(value), value
        for value in [None, *DECIMALS]:
            assert money(value, lang=active) == money(value), value


def test_a_changed_setting_is_not_hidden_by_the_separators_asked_once():
    # Tamil: no separators or grouping of its own (the settings'), and no other test asks for it.
    with translation.override("ta"):
        with override_settings(NUMBER_GROUPING=3):
            assert count(12345678) == "12,345,678"
        with override_settings(NUMBER_GROUPING=(3, 2, 0)):
            assert count(12345678) == "1,23,45,678" == number_format(12345678, 0, force_grouping=True)


def test_points_follow_the_active_language():
    """The translated "pp" is asked once per language: switching back and forth keeps each."""
    for lang, expected in [("tr", "+5,0 yp"), ("en", "+5.0 pp"), ("tr", "+5,0 yp"), ("en", "−1.5 pp")]:
        with translation.override(lang):
            value = 5.0 if expected[0] == "+" else -1.5
            assert signed_points(value) == expected
            assert signed_points(value, lang=translation.get_language()) == expected
