"""Reads for the exit course: what the case page's course panel and the mentor view show.

Each function runs a fixed number of queries however many goals, actions, offers and
meetings the case has. What may be done is decided by the same rules the services
enforce (``cases.services.may_act`` and the case status).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise

from vejud.access.cases import CaseAccess
from vejud.accounts.models import User
from vejud.actions.declare import possible_now
from vejud.assessments.models import MotivationAssessment
from vejud.assessments.selectors import signed_motivation
from vejud.cases.models import Case, CaseStatus, MentorAssignment
from vejud.cases.selectors import mentor_assignments
from vejud.courses.models import (
    CaseClosure,
    CaseOffer,
    ExitAgreement,
    LifeArea,
    MentorMeeting,
    OfferStatus,
    Party,
    PlanAction,
    PlanGoal,
)
from vejud.offers.models import OfferType

COURSE_STATUSES = frozenset({CaseStatus.ADMITTED, CaseStatus.CLOSED})


@dataclass
class AreaPlan:
    """The goals of one life area, each with its actions prefetched."""

    code: str
    label: Promise
    goals: list[PlanGoal]


@dataclass
class Wish:
    """Help the person wished for; ``offered`` is False where no offer meets it (a gap)."""

    code: str
    name: str
    offered: bool


@dataclass
class CoursePlan:
    """The exit plan and the offers: shown to staff and, read-only, to the mentor."""

    case: Case
    today: date
    areas: list[AreaPlan]
    offers: list[CaseOffer]

    @property
    def action_count(self) -> int:
        return sum(len(goal.actions.all()) for area in self.areas for goal in area.goals)


@dataclass
class CourseOverview:
    """Everything the course panel shows, and which actions the user may take."""

    case: Case
    plan: CoursePlan
    agreement: ExitAgreement | None
    wishes: list[Wish]
    wishes_from: MotivationAssessment | None
    mentors: list[MentorAssignment]
    current_mentor: MentorAssignment | None
    attention: list[MentorMeeting]
    meeting_count: int
    closure: CaseClosure | None
    actions: dict[str, bool] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Wish]:
        return [wish for wish in self.wishes if not wish.offered]

    @property
    def parties(self) -> list[str]:
        """Return the agreement's parties by name."""
        if self.agreement is None:
            return []
        return [str(Party(p).label) if p in Party.values else p for p in self.agreement.parties]

    @property
    def expected_end(self) -> date | None:
        if self.agreement is None:
            return None
        return add_months(self.agreement.starts_on, self.agreement.expected_months)


def add_months(day: date, months: int) -> date:
    """Return the day ``months`` months after ``day`` (the month's last day if it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _mark_overdue(actions: list[PlanAction], today: date) -> None:
    for action in actions:
        action.overdue = action.is_open and action.deadline < today  # type: ignore[attr-defined]


def course_plan(case: Case) -> CoursePlan:
    """Return the plan grouped by life area (in the catalogue's order) and the offers."""
    today = timezone.localdate()
    goals = list(
        PlanGoal.objects.filter(case=case).prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related("owner").order_by("deadline", "id"),
            )
        )
    )
    by_area: dict[str, list[PlanGoal]] = {}
    for goal in goals:
        actions = list(goal.actions.all())
        _mark_overdue(actions, today)
        # The panel offers removal only for a goal without open actions (goal_remove).
        goal.removable = not any(a.is_open for a in actions)  # type: ignore[attr-defined]
        by_area.setdefault(goal.life_area, []).append(goal)
    areas = [
        AreaPlan(code, label, by_area[code])
        for code, label in zip(LifeArea.values, LifeArea.labels, strict=True)
        if code in by_area
    ]
    offers = list(
        CaseOffer.objects.filter(case=case).select_related("offer_type").order_by("starts_on", "id")
    )
    return CoursePlan(case=case, today=today, areas=areas, offers=offers)


def help_wishes(
    case: Case, offers: list[CaseOffer]
) -> tuple[list[Wish], MotivationAssessment | None]:
    """Return the help wished for in the latest signed motivation assessment, each marked
    as met when an offer of that kind is planned, active or completed."""
    assessment = signed_motivation(case)
    if assessment is None or not assessment.help_wishes:
        return [], assessment
    codes = list(assessment.help_wishes)
    types = {t.code: t for t in OfferType.objects.filter(code__in=codes)}
    given = {offer.offer_type.code for offer in offers if offer.status != OfferStatus.CANCELLED}
    wishes = [
        Wish(code=code, name=types[code].name if code in types else code, offered=code in given)
        for code in codes
    ]
    return wishes, assessment


def current_assignment(assignments: list[MentorAssignment], today: date) -> MentorAssignment | None:
    """Return the assignment in force today among ``assignments``."""
    return next(
        (
            a
            for a in assignments
            if a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)
        ),
        None,
    )


def course_overview(access: CaseAccess, user: User) -> CourseOverview:
    """Return the course panel's content for a user with casework access to the case."""
    case = access.case
    plan = course_plan(case)
    wishes, wishes_from = help_wishes(case, plan.offers)
    mentors = mentor_assignments(case)
    # The meetings counted, and those the unit is asked to look at (rare) read only if any.
    flagged = Q(needs_attention=True, attention_resolved_at__isnull=True)
    meetings = MentorMeeting.objects.filter(case=case)
    counts = meetings.aggregate(all=Count("id"), attention=Count("id", filter=flagged))
    attention = (
        list(meetings.filter(flagged).select_related("assignment__mentor").order_by("met_on", "id"))
        if counts["attention"]
        else []
    )
    overview = CourseOverview(
        case=case,
        plan=plan,
        agreement=ExitAgreement.objects.filter(case=case).first(),
        wishes=wishes,
        wishes_from=wishes_from,
        mentors=mentors,
        current_mentor=current_assignment(mentors, plan.today),
        attention=attention,
        meeting_count=counts["all"],
        closure=CaseClosure.objects.filter(case=case).select_related("closed_by").first(),
    )
    overview.actions = course_actions(case, user)
    return overview


# The panel's course actions: each is the answer of a declared action (courses/actions.py).
PANEL_ACTIONS = {
    "edit": "goal_add",
    "assign_mentor": "mentor_assign",
    "resolve": "meeting_resolve",
    "close": "course_close",
    "reopen": "course_reopen",
}


def course_actions(case: Case, user: User) -> dict[str, bool]:
    """Return which course actions ``user`` may take on ``case`` now (their pages and API
    operations give the same answer)."""
    possible = possible_now(PANEL_ACTIONS.values(), user, case)
    return {key: possible[name] for key, name in PANEL_ACTIONS.items()}


def mentor_meetings(case: Case, user: User, *, own_only: bool) -> list[MentorMeeting]:
    """Return the case's meeting log: only the user's own meetings when ``own_only``."""
    meetings = MentorMeeting.objects.filter(case=case).select_related(
        "assignment__mentor", "attention_resolved_by"
    )
    if own_only:
        meetings = meetings.filter(assignment__mentor_id=user.pk)
    return list(meetings.order_by("-met_on", "-id"))
