"""Reads for advice: the unit's list, the national queue, the thread, the attached parts,
response times in working hours and the medians for quality assurance."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from vejud.access.advice import AdviceAccess, SharedPart, requests_visible_to, unit_requests
from vejud.accounts.models import User
from vejud.advice.models import AdviceMessage, AdviceNote, AdviceRequest, AdviceStatus, Urgency
from vejud.advice.states import OPEN
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.core.workhours import working_hours
from vejud.courses.models import PlanGoal
from vejud.followup.models import Review

LIST_LIMIT = 200


def _listed(requests: QuerySet[AdviceRequest]) -> QuerySet[AdviceRequest]:
    return requests.select_related("unit", "requested_by", "assigned_to", "case").order_by(
        "-created_at", "-id"
    )[:LIST_LIMIT]


def my_requests(user: User) -> QuerySet[AdviceRequest]:
    """The requests of the user's side: their own, or their unit's for a coordinator."""
    return _listed(unit_requests(user))


def queue(user: User, *, status: str | None = None) -> QuerySet[AdviceRequest]:
    """The national queue: open requests first in the order they came, or those of ``status``."""
    requests = requests_visible_to(user)
    requests = (
        requests.filter(status=status) if status else requests.filter(status__in=sorted(OPEN))
    )
    return requests.select_related("unit", "requested_by", "assigned_to", "case").order_by(
        "created_at", "id"
    )[:LIST_LIMIT]


def thread(request: AdviceRequest) -> list[AdviceMessage]:
    """The messages between the unit and the advisers (never the advisers' notes)."""
    return list(request.messages.select_related("author").order_by("at", "id"))


def internal_notes(request: AdviceRequest) -> list[AdviceNote]:
    """The advisers' notes on the request: for the advisers' page and API only."""
    return list(request.notes.select_related("author").order_by("at", "id"))


def answers_on_case(case_id: int) -> list[AdviceMessage]:
    """The answers filed on a case, newest first, with what the case page shows of them: the
    request's topic and question, the author's name and the answer."""
    return list(
        AdviceMessage.objects.filter(request__case_id=case_id, is_answer=True)
        .select_related("request", "author")
        .only(*ANSWER_SHOWN)
        .order_by("-at", "-id")
    )


# What the case page's advice panel shows of an answer (advice/_case_panel.html).
ANSWER_SHOWN = (
    "at", "text", "motivation", "suitability", "reasons",
    "request__topic", "request__question", "author__full_name",
)  # fmt: skip


def attached(access: AdviceAccess) -> dict[str, Any]:
    """The attached parts of the request's case, and nothing else of it."""
    request = access.request
    case_id = request.case_id
    assert case_id is not None  # advice_access gives access only to a request about a case
    parts: dict[str, Any] = {"parts": access.parts}
    if SharedPart.INSTRUMENTS in access.parts:
        parts["instruments"] = [
            (
                model._meta.verbose_name,
                model.objects.filter(case_id=case_id).order_by("-version").first(),
            )
            for model in (TargetGroupAssessment, MotivationAssessment, SuitabilityAssessment)
        ]
    if SharedPart.PLAN in access.parts:
        parts["goals"] = list(
            PlanGoal.objects.filter(case_id=case_id).prefetch_related("actions").order_by("id")
        )
    if SharedPart.FOLLOWUP in access.parts:
        parts["reviews"] = list(
            Review.objects.filter(case_id=case_id).order_by("-reviewed_on", "-id")
        )
    if SharedPart.JOURNAL in access.parts:
        parts["journal"] = list(
            request.journal_entries.select_related("author").order_by("created_at", "id")
        )
    return parts


def attached_out(access: AdviceAccess) -> dict[str, Any]:
    """The attached parts as plain values (the API): a part not attached is None."""
    found = attached(access)
    request = access.request
    assert request.case is not None and request.access_until is not None
    instruments = found.get("instruments")
    return {
        "case_reference": request.case.reference,
        "access_until": request.access_until,
        "instruments": None
        if instruments is None
        else [
            {"kind": str(name), "signed_at": i.signed_at, "reasoning": i.reasoning}
            for name, i in instruments
            if i is not None
        ],
        "plan": None
        if "goals" not in found
        else [
            {
                "life_area": g.life_area,
                "goal": g.goal,
                "actions": [
                    {"description": a.description, "status": a.status, "deadline": a.deadline}
                    for a in g.actions.all()
                ],
            }
            for g in found["goals"]
        ],
        "followup": found.get("reviews"),
        "journal": found.get("journal"),
    }


# --- Response times ------------------------------------------------------------------------


def first_response_hours(request: AdviceRequest) -> float | None:
    """Working hours from the question to the first word from an adviser, or None."""
    if request.first_response_at is None:
        return None
    return working_hours(request.created_at, request.first_response_at)


def answer_hours(request: AdviceRequest) -> float | None:
    """Working hours from the question to the answer, or None."""
    if request.answered_at is None:
        return None
    return working_hours(request.created_at, request.answered_at)


def overdue(request: AdviceRequest, now: datetime | None = None) -> bool:
    """Return True if the request has passed its target: urgent without a first response after
    ``VEJUD_ADVICE_URGENT_FIRST_RESPONSE_HOURS``, any request unanswered after
    ``VEJUD_ADVICE_NORMAL_ANSWER_HOURS`` working hours."""
    if request.status == AdviceStatus.CLOSED or request.answered_at is not None:
        return False
    elapsed = working_hours(request.created_at, now or timezone.now())
    urgent = request.urgency == Urgency.URGENT and request.first_response_at is None
    if urgent and elapsed > settings.VEJUD_ADVICE_URGENT_FIRST_RESPONSE_HOURS:
        return True
    return elapsed > settings.VEJUD_ADVICE_NORMAL_ANSWER_HOURS


@dataclass(frozen=True)
class Median:
    """Median response times of one group of requests, in working hours."""

    key: str
    label: str
    requests: int
    first_response: float | None
    answer: float | None


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def response_medians(requests: Iterable[AdviceRequest], *, by: str) -> list[Median]:
    """The median first-response and answer times per unit (``by="unit"``) or per topic."""
    groups: dict[tuple[str, str], list[AdviceRequest]] = defaultdict(list)
    for request in requests:
        if by == "unit":
            groups[(str(request.unit_id), request.unit.name)].append(request)
        else:
            groups[(request.topic, str(request.get_topic_display()))].append(request)
    return [
        Median(
            key=key,
            label=label,
            requests=len(members),
            first_response=_median(first_response_hours(r) for r in members),
            answer=_median(answer_hours(r) for r in members),
        )
        for (key, label), members in sorted(groups.items(), key=lambda item: item[0][1])
    ]


def figures(user: User, *, since: timedelta = timedelta(days=365)) -> dict[str, list[Median]]:
    """The quality-assurance figures of the requests of the last year the user sees."""
    requests = list(
        requests_visible_to(user)
        .filter(created_at__gte=timezone.now() - since)
        .select_related("unit")
        .only("unit__name", "topic", "created_at", "first_response_at", "answered_at", "unit_id")
    )
    return {
        "by_unit": response_medians(requests, by="unit"),
        "by_topic": response_medians(requests, by="topic"),
    }
