"""Decision letters (afgørelsesbreve) to the person, in Danish, as PDF via WeasyPrint.

The letter names the person and the case; it never holds the CPR number or any
address (the protected address least of all): it is handed over or sent through
the unit.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from vejud.decisions.models import Decision, DecisionLevel, DecisionOutcome

NATIONAL_CONTACT = {
    "name": "Det Nationale Exit-kontaktpunkt",
    "phone": "4515 3630",
    "hours": "hverdage kl. 9-14",
    "email": "KP-Exit@politi.dk",
}


def _deny_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Refuse every external resource: a letter can never read files or the network."""
    raise ValueError(f"Resource loading is disabled in letters ({url[:40]})")


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


def letter_html(decision: Decision) -> str:
    """Return the letter as HTML (Danish, whatever the user's language)."""
    with translation.override("da"):
        return render_to_string("decisions/letter.html", letter_context(decision))


def letter_pdf(decision: Decision) -> bytes:
    """Return the letter as PDF bytes."""
    from weasyprint import HTML

    pdf = HTML(string=letter_html(decision), url_fetcher=_deny_fetch, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def letter_filename(decision: Decision) -> str:
    kind = "endelig-afgoerelse" if decision.level == DecisionLevel.FINAL else "afgoerelse"
    return f"{decision.case.reference}-{kind}-{decision.pk}.pdf"
