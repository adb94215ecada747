"""The checks services share: ``required_text`` keeps a required text without surrounding white
space or refuses it; ``check_period`` refuses an end before the start."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from vejud.core.limits import check_period, required_text


def test_required_text_returns_the_text_without_surrounding_white_space() -> None:
    assert required_text("  Flyttet til Aarhus \n", "Give a reason.", code="reason") == (
        "Flyttet til Aarhus"
    )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_required_text_refuses_a_blank_text_with_the_message_and_code(blank: str) -> None:
    with pytest.raises(ValidationError) as refused:
        required_text(blank, "Give a reason.", code="reason_required")
    assert refused.value.messages == ["Give a reason."]
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize("end", [None, date(2026, 3, 1), date(2026, 4, 1)])
def test_check_period_accepts_an_open_end_or_one_not_before_the_start(end: date | None) -> None:
    check_period(date(2026, 3, 1), end, "The end cannot be before the start.")


def test_check_period_refuses_an_end_before_the_start_with_the_message_and_code() -> None:
    with pytest.raises(ValidationError) as refused:
        check_period(date(2026, 3, 1), date(2026, 2, 28), "Ends too early.", code="valid_until")
    assert refused.value.messages == ["Ends too early."]
    assert refused.value.code == "valid_until"
