"""Retention: when a person's records are anonymised, by which rule, and what stops it.

The rules are per kind of case, each with the legal basis written beside it and its period
from the environment. A person's date is the latest of their cases' dates: a person with a
newer case keeps the older ones until the newest is due, and a person with an open case has
no date. A hold (legal hold, archive duty, an open court case) stops anonymisation while it
lasts. ``persons_due`` finds the persons due on a day in one query, for the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from vejud.cases.models import OPEN_STATUSES, Case
from vejud.people.models import Person
from vejud.privacy.models import Anonymisation, RetentionHold


@dataclass(frozen=True)
class Rule:
    """A retention rule: its key, what it covers, its period and its legal basis."""

    key: str
    label: str
    years: int
    basis: str


def rules() -> dict[str, Rule]:
    """Return the rules in force (periods from the settings, read each time)."""
    return {
        "course": Rule(
            "course",
            str(_("A case with an exit course")),
            settings.VEJUD_RETENTION_COURSE_YEARS,
            str(
                _(
                    "Kept no longer than needed (GDPR art. 5(1)(e); the law-enforcement data "
                    "act § 4 for police data): the years after closure cover the evaluations' "
                    "follow-up after 6, 12 and 24 months, a new attempt building on the course, "
                    "and supervision; discarded only as the archive rules allow (a hold stops it)."
                )
            ),
        ),
        "no_course": Rule(
            "no_course",
            str(_("A case that ended without an exit course")),
            settings.VEJUD_RETENTION_NO_COURSE_YEARS,
            str(
                _(
                    "Kept no longer than needed (GDPR art. 5(1)(e); the law-enforcement data "
                    "act § 4 for police data): a refusal, a withdrawal or a dropped assessment "
                    "is kept so a new inquiry can build on it and a refusal can still be put "
                    "before the national contact point; discarded only as the archive rules "
                    "allow (a hold stops it)."
                )
            ),
        ),
    }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def case_rule(case: Case) -> Rule:
    """Return the rule that covers ``case``."""
    return rules()["course" if case.course_started_on else "no_course"]


def case_due_on(case: Case) -> date | None:
    """Return the day ``case`` is due for anonymisation by its own rule (None while open)."""
    if case.status in OPEN_STATUSES or case.closed_on is None:
        return None
    return _add_years(case.closed_on, case_rule(case).years)


@dataclass(frozen=True)
class Retention:
    """What the person and case pages show: the date and rule, or why there is none."""

    due_on: date | None
    rule: Rule | None
    held: bool
    holds: list[RetentionHold]
    anonymised_at: datetime | None
    open_case: bool


def retention_of(person: Person, *, holds: bool = True) -> Retention:
    """Return the person's retention: the newest case's date and rule, whether a hold stops
    it and whether it happened, in one query (and one more for the holds themselves)."""
    cases = list(
        Case.objects.filter(person_id=person.pk)
        .only("pk", "status", "closed_on", "course_started_on", "person_id")
        .annotate(
            anonymised_at=Subquery(
                Anonymisation.objects.filter(person_id=OuterRef("person_id")).values("at")[:1]
            ),
            held=Exists(
                RetentionHold.objects.filter(person_id=OuterRef("person_id"), lifted_at=None)
            ),
        )
    )
    current = (
        list(
            RetentionHold.objects.filter(person_id=person.pk, lifted_at__isnull=True)
            .select_related("set_by")
            .order_by("set_at")
        )
        if holds
        else []
    )
    held = bool(cases) and bool(cases[0].held)
    anonymised_at = cases[0].anonymised_at if cases else None
    due = [(case_due_on(case), case) for case in cases]
    if not cases or any(day is None for day, _case in due):
        return Retention(None, None, held, current, anonymised_at, bool(cases))
    day, latest = max(due, key=lambda pair: (pair[0], pair[1].pk))
    return Retention(day, case_rule(latest), held, current, anonymised_at, False)


def _cutoff(today: date, years: int) -> date:
    return _add_years(today, -years)


def persons_due(today: date) -> QuerySet[Person]:
    """Return the persons whose every case is due on ``today``, without a hold and not yet
    anonymised, in one query."""
    current = rules()
    not_due = Case.objects.filter(person_id=OuterRef("pk")).filter(
        Q(status__in=sorted(OPEN_STATUSES))
        | Q(closed_on__isnull=True)
        | Q(
            course_started_on__isnull=False,
            closed_on__gt=_cutoff(today, current["course"].years),
        )
        | Q(
            course_started_on__isnull=True,
            closed_on__gt=_cutoff(today, current["no_course"].years),
        )
    )
    return (
        Person.objects.filter(Exists(Case.objects.filter(person_id=OuterRef("pk"))))
        .exclude(Exists(not_due))
        .exclude(
            Exists(RetentionHold.objects.filter(person_id=OuterRef("pk"), lifted_at__isnull=True))
        )
        .exclude(Exists(Anonymisation.objects.filter(person_id=OuterRef("pk"))))
        .order_by("pk")
    )
