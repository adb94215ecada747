"""Reads for the central pool, scoped to the user.

Applications are listed only through ``applications_visible_to`` (cases the user may see the
grants part of); the aggregate figures never name a person or a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from vejud.access.cases import CaseAccess, cases_visible_to
from vejud.access.casework import acts_nationally_on, may_apply_for_grants
from vejud.access.rules import Capability, Part, has_capability
from vejud.accounts.models import User
from vejud.pool.models import (
    GRANTED_STATUSES,
    OPEN_APPLICATION_STATUSES,
    Application,
    BudgetYear,
    Category,
    CategoryFrame,
    Payment,
)
from vejud.pool.states import may_answer, may_attach, may_decide, may_pay, may_withdraw


def applications_visible_to(user: User) -> QuerySet[Application]:
    """Return the applications on cases whose grants ``user`` may see."""
    if not has_capability(user, Capability.VIEW_GRANTS):
        return Application.objects.none()
    return Application.objects.filter(
        case__in=cases_visible_to(user, part=Part.GRANTS).values("pk")
    ).select_related("case", "applying_unit", "budget_year")


def applications_for_case(access: CaseAccess) -> QuerySet[Application]:
    """Return the applications on an authorised case (grants part)."""
    return (
        Application.objects.filter(case=access.case)
        .select_related("applying_unit", "budget_year", "guideline", "plan_action")
        .order_by("-submitted_at", "-id")
    )


def get_application_for(access: CaseAccess, application_id: int) -> Application:
    """Return the case's application ``application_id``; 404 if it is not on this case."""
    applications = applications_for_case(access).select_related(
        "decided_by", "submitted_by", "case"
    )
    return get_object_or_404(applications, pk=application_id)


def grant_actions(user: User, access: CaseAccess, application: Application) -> dict[str, bool]:
    """Return what ``user`` may do with the application now, for the pages and the API alike
    (the state table in ``pool.states`` says what its status allows; the services decide)."""
    applicant = may_apply_for_grants(user, access)
    manager = acts_nationally_on(user, access, Capability.MANAGE_POOL)
    return {
        "decide": acts_nationally_on(user, access, Capability.DECIDE_GRANTS)
        and may_decide(application),
        "answer": applicant and may_answer(application),
        "withdraw": applicant and may_withdraw(application),
        "pay": manager and may_pay(application),
        "release": manager and may_pay(application),
        "attach": (applicant or manager) and may_attach(application),
    }


@dataclass
class Figures:
    """Budget, committed, paid and available (øre) for a year, a category or a unit."""

    budget_ore: int | None = None  # None: no budget of its own (a unit, an unframed category)
    committed_ore: int = 0
    paid_ore: int = 0
    pending_ore: int = 0  # applied for, not yet decided
    applications: int = 0

    @property
    def available_ore(self) -> int | None:
        return None if self.budget_ore is None else self.budget_ore - self.committed_ore

    @property
    def unpaid_ore(self) -> int:
        return self.committed_ore - self.paid_ore


@dataclass
class YearOverview:
    year: BudgetYear
    total: Figures
    categories: list[tuple[str, str, Figures]] = field(default_factory=list)  # value, label, figs
    units: list[tuple[str, Figures]] = field(default_factory=list)
    months: list[tuple[date, int]] = field(default_factory=list)  # paid per month


def _grouped(qs: QuerySet[Application], key: str) -> dict[Any, Figures]:
    rows = qs.values(key).annotate(
        committed=Sum(F("approved_ore") - F("released_ore"), filter=Q(status__in=GRANTED_STATUSES)),
        paid=Sum("paid_ore"),
        pending=Sum("amount_ore", filter=Q(status__in=OPEN_APPLICATION_STATUSES)),
        n=Count("id"),
    )
    return {
        row[key]: Figures(
            committed_ore=row["committed"] or 0,
            paid_ore=row["paid"] or 0,
            pending_ore=row["pending"] or 0,
            applications=row["n"],
        )
        for row in rows
    }


def year_overview(year: BudgetYear) -> YearOverview:
    """Return the year's figures: in total, per category, per applying unit and paid per month.

    Aggregates only: no case or person appears, so analysts may see it.
    """
    applications = Application.objects.filter(budget_year=year)
    by_category = _grouped(applications, "category")
    frames = {f.category: f for f in CategoryFrame.objects.filter(budget_year=year)}
    categories = []
    for value, label in Category.choices:
        figures = by_category.get(value, Figures())
        frame = frames.get(value)
        figures.budget_ore = frame.budget_ore if frame is not None else None
        categories.append((value, str(label), figures))
    by_unit = _grouped(applications, "applying_unit__name")
    units = sorted(by_unit.items(), key=lambda item: str(item[0]))
    months = [
        (row["month"].date() if hasattr(row["month"], "date") else row["month"], row["paid"])
        for row in Payment.objects.filter(application__budget_year=year)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(paid=Sum("amount_ore"))
        .order_by("month")
    ]
    pending = sum(f.pending_ore for f in by_category.values())
    total = Figures(
        budget_ore=year.budget_ore,
        committed_ore=year.committed_ore,
        paid_ore=year.paid_ore,
        pending_ore=pending,
        applications=sum(f.applications for f in by_category.values()),
    )
    return YearOverview(year=year, total=total, categories=categories, units=units, months=months)


def budget_availability(year: BudgetYear) -> list[tuple[str, str, int | None, int | None]]:
    """Return ``(category, label, frame budget, available)`` for units applying (no other unit's data)."""
    frames = {f.category: f for f in CategoryFrame.objects.filter(budget_year=year)}
    rows: list[tuple[str, str, int | None, int | None]] = []
    for value, label in Category.choices:
        frame = frames.get(value)
        if frame is None:
            rows.append((value, str(label), None, None))
        else:
            rows.append(
                (value, str(label), frame.budget_ore, min(frame.available_ore, year.available_ore))
            )
    return rows
