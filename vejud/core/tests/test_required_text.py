"""``required_text`` keeps a required text without surrounding white space, or refuses it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vejud.core.limits import required_text


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
