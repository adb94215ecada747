from __future__ import annotations

import io
from datetime import date

from django.utils import translation
from pypdf import PdfReader

from vejud.decisions.letters import letter_pdf
from vejud.decisions.models import RefusalGround
from vejud.decisions.services import final_decision_record, unit_decision_record
from vejud.testing import make_assessed_case
from vejud.testing.builders import make_referred_case, protect_address

ADDRESS = "Hemmeligvej 7, 9999 Skjulby"


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_refusal_letter_has_reference_grounds_and_how_to_refer_but_no_cpr_or_address(world):
    case = make_assessed_case(world, cpr="0101901234", birth_date=date(1990, 1, 1))
    protect_address(world, case, ADDRESS)
    decision = unit_decision_record(
        actor=world.coordinator_a,
        case=case,
        outcome="refuse",
        grounds=["not_motivated"],
        reasoning="Fear alone carries it.",
    )
    text = _text(letter_pdf(decision))
    assert case.reference in text
    with translation.override("da"):
        ground = str(RefusalGround.NOT_MOTIVATED.label)
    assert ground in text
    assert "forelagt" in text and "4515 3630" in text
    assert "0101901234" not in text.replace("-", "") and "010190" not in text
    assert "Hemmeligvej" not in text


def test_final_overturn_letter_says_final(world):
    case = make_referred_case(world)
    decision = final_decision_record(
        actor=world.decision_maker, case=case, outcome="overturn", reasoning="Suitable after all."
    )
    text = _text(letter_pdf(decision))
    assert case.reference in text and "endelig" in text
