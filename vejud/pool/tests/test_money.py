"""Kroner as typed ↔ integer øre, without floats."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from vejud.pool.money import MAX_ORE, format_kroner, input_kroner, parse_kroner


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("12.345,50", 1_234_550),
        ("12345,5", 1_234_550),
        ("2 000", 200_000),
        ("400 kr.", 40_000),
        ("0,01", 1),
        ("1.000.000", 100_000_000),
        (" 7 DKK ", 700),
    ],
)
def test_parse_kroner(text, ore):
    result = parse_kroner(text)
    assert result == ore and type(result) is int


@pytest.mark.parametrize(
    "text", ["", "abc", "1,234", "12.34", "-5", "1e3", "1,2,3", "12.3456", "NaN", "inf"]
)
def test_parse_kroner_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValidationError):
        parse_kroner(text)


def test_parse_kroner_refuses_too_large():
    with pytest.raises(ValidationError):
        parse_kroner(str(MAX_ORE // 100 + 1))


@given(st.integers(min_value=0, max_value=MAX_ORE))
def test_format_then_parse_is_identity(ore):
    assert parse_kroner(format_kroner(ore)) == ore
    assert parse_kroner(format_kroner(ore, unit=False)) == ore
    assert parse_kroner(input_kroner(ore)) == ore


def test_format_kroner():
    assert format_kroner(1_234_550) == "12.345,50 kr."
    assert format_kroner(-5) == "-0,05 kr."
    assert input_kroner(200_000) == "2000"
