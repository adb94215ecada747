"""Decision letters (afgørelsesbreve) to the person, in Danish, as PDF via WeasyPrint.

The letter names the person and the case; it never holds the CPR number or any
address (the protected address least of all): it is handed over or sent through
the unit.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vejud.core.documents import document_pdf
from vejud.decisions.models import Decision, DecisionLevel, DecisionOutcome

NATIONAL_CONTACT = {
    "name": "Det Nationale Exit-kontaktpunkt",
    "phone": "4515 3630",
    "hours": "hverdage kl. 9-14",
    "email": "KP-Exit@politi.dk",
}


def letter_context(decision: Decision) -> dict[str, Any]:
    case = decision.case
    return {
        "decision": decision,
        "case": case,
        "person_name": case.person.full_name,
        "unit": case.responsible_unit,
        "is_final": decision.level == DecisionLevel.FINAL,
        "is_refusal": decision.outcome in {DecisionOutcome.REFUSE, DecisionOutcome.UPHOLD},
        "grounds": decision.ground_labels(),
        "contact": NATIONAL_CONTACT,
        "printed_at": timezone.localtime(),
    }


def letter_pdf(decision: Decision) -> bytes:
    """Return the letter as PDF bytes (Danish, whatever the user's language)."""
    return document_pdf("decisions/letter.html", letter_context, decision)


def letter_filename(decision: Decision) -> str:
    kind = "endelig-afgoerelse" if decision.level == DecisionLevel.FINAL else "afgoerelse"
    return f"{decision.case.reference}-{kind}-{decision.pk}.pdf"
