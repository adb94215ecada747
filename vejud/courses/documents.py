"""The exit agreement (exitaftale) as a PDF in Danish, via WeasyPrint.

Like the decision letters it names the person and the case and never holds the CPR
number or any address (the protected address least of all): it is signed at a meeting
and kept by the parties. The Danish wording is fixed here, whatever the user's language.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vejud.core.documents import document_pdf
from vejud.courses.models import ExitAgreement
from vejud.courses.selectors import add_months, course_plan

PARTIES_DA = {
    "person": "Deltageren",
    "police": "Politiet",
    "municipality": "Kommunen",
    "kriminalforsorgen": "Kriminalforsorgen",
}
LIFE_AREAS_DA = {
    "housing": "Bolig",
    "economy": "Økonomi og gæld",
    "work_education": "Arbejde og uddannelse",
    "family_network": "Familie og netværk",
    "health": "Fysisk og psykisk helbred",
    "substance": "Misbrug",
    "leisure": "Fritid",
    "safety": "Sikkerhed",
    "crime": "Kriminalitet",
}
AGENCIES_DA = {
    "police": "Politiet",
    "municipality": "Kommunen",
    "kriminalforsorgen": "Kriminalforsorgen",
    "national": "Det Nationale Exit-kontaktpunkt",
    "person": "Deltageren",
    "mentor": "Mentor",
}


def agreement_context(agreement: ExitAgreement) -> dict[str, Any]:
    case = agreement.case
    plan = course_plan(case)
    areas = [
        {
            "label": LIFE_AREAS_DA.get(area.code, area.code),
            "goals": [
                {
                    "goal": goal.goal,
                    "actions": [
                        {
                            "description": action.description,
                            "agency": AGENCIES_DA.get(action.owner_agency, action.owner_agency),
                            "deadline": action.deadline,
                        }
                        for action in goal.actions.all()
                    ],
                }
                for goal in area.goals
            ],
        }
        for area in plan.areas
    ]
    return {
        "agreement": agreement,
        "case": case,
        "person_name": case.person.full_name,
        "unit": case.responsible_unit,
        "parties": [PARTIES_DA.get(p, p) for p in agreement.parties],
        "expected_end": add_months(agreement.starts_on, agreement.expected_months),
        "areas": areas,
        "printed_at": timezone.localtime(),
    }


def agreement_pdf(agreement: ExitAgreement) -> bytes:
    """Return the agreement as PDF bytes (Danish, whatever the user's language)."""
    return document_pdf("courses/agreement_document.html", agreement_context, agreement)


def agreement_filename(agreement: ExitAgreement) -> str:
    return f"{agreement.case.reference}-exitaftale.pdf"
