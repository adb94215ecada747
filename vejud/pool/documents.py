"""The pool's PDF documents via WeasyPrint: the decision letter to the applying unit, and the
year-end report.

The decision letter is in Danish whatever the user's language (it goes to the unit and onto
the case file) and names the case and the application, never the person, the CPR number or
an address. The year-end report holds aggregates only and follows the user's language.
Neither document may load anything: the url_fetcher refuses every resource.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from vejud.core.documents import html_pdf
from vejud.pool.models import Application, ApplicationStatus, BudgetYear
from vejud.pool.selectors import YearOverview

NATIONAL_CONTACT = {
    "name": "Det Nationale Exit-kontaktpunkt",
    "phone": "4515 3630",
    "hours": "hverdage kl. 9-14",
    "email": "KP-Exit@politi.dk",
}
CATEGORIES_DA = {
    "relocation": "Midlertidig flytning / safehouse",
    "tattoo_removal": "Fjernelse af tatoveringer",
    "psychologist": "Psykologbehandling",
    "moving": "Flytning og etablering",
    "other": "Andre særlige foranstaltninger",
}
OUTCOMES_DA = {
    ApplicationStatus.APPROVED: "Ansøgningen er imødekommet fuldt ud.",
    ApplicationStatus.PARTLY_APPROVED: "Ansøgningen er imødekommet delvist.",
    ApplicationStatus.REFUSED: "Ansøgningen er afslået.",
}


# --- The decision letter ------------------------------------------------------------------


def decision_letter_context(application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "case": application.case,
        "unit": application.applying_unit,
        "category": CATEGORIES_DA.get(application.category, application.category),
        "outcome": OUTCOMES_DA.get(ApplicationStatus(application.status), ""),
        "granted": application.is_granted,
        "guideline": application.guideline,
        "contact": NATIONAL_CONTACT,
        "printed_at": timezone.localtime(),
    }


def decision_letter_html(application: Application) -> str:
    """Return the decision letter as HTML (Danish, whatever the user's language)."""
    with translation.override("da"):
        return render_to_string("pool/decision_letter.html", decision_letter_context(application))


def decision_letter_pdf(application: Application) -> bytes:
    """Return the decision letter as PDF bytes."""
    return html_pdf(decision_letter_html(application))


def decision_letter_filename(application: Application) -> str:
    return f"{application.case.reference}-{application.reference}-afgoerelse.pdf"


# --- The year-end report ------------------------------------------------------------------


def year_report_context(overview: YearOverview) -> dict[str, Any]:
    year = overview.year.year
    paid = {month.month: ore for month, ore in overview.months if month.year == year}
    return {
        "overview": overview,
        "year": year,
        "months": [(date(year, m, 1), paid.get(m, 0)) for m in range(1, 13)],
        "months_total": sum(paid.values()),
        "printed_at": timezone.localtime(),
    }


def year_report_html(overview: YearOverview) -> str:
    """Return the year-end report as HTML in the active language."""
    return render_to_string("pool/year_report.html", year_report_context(overview))


def year_report_pdf(overview: YearOverview) -> bytes:
    """Return the year-end report as PDF bytes."""
    return html_pdf(year_report_html(overview))


def year_report_filename(year: BudgetYear) -> str:
    return f"puljen-aarsrapport-{year.year}.pdf"
