"""The task list (arbejdsliste): what is due for the user, computed from the cases themselves.

Nothing is stored: a task disappears the moment the case moves on. Each kind of
task is one query, so the page costs the same however many cases there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.accounts.models import Role
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.permissions import scope_for
from vejud.cases.selectors import cases_visible_to
from vejud.decisions.models import InformationRequest, Referral
from vejud.intake.models import Consent


class TaskKind:
    ASSESSMENT_DUE = "assessment_due"
    READY_FOR_DECISION = "ready_for_decision"
    CONSENT_MISSING = "consent_missing"
    INFORMATION_REQUESTED = "information_requested"
    REFERRAL_AWAITING = "referral_awaiting"


TASK_LABELS: dict[str, Promise] = {
    TaskKind.ASSESSMENT_DUE: _("Assessment due"),
    TaskKind.READY_FOR_DECISION: _("Ready for the unit's decision"),
    TaskKind.CONSENT_MISSING: _("Consent missing"),
    TaskKind.INFORMATION_REQUESTED: _("The contact point asks for information"),
    TaskKind.REFERRAL_AWAITING: _("Referral awaiting final decision"),
}

TASK_LIMIT = 200


@dataclass(frozen=True)
class Task:
    kind: str
    reference: str
    status: str
    due_on: date | None
    overdue: bool

    @property
    def label(self) -> Promise:
        return TASK_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return str(CaseStatus(self.status).label)


def casework_cases(user: Any) -> QuerySet[Case]:
    """Return the cases ``user`` works on as unit or custody staff (not mentor or break-glass)."""
    scope = scope_for(user)
    condition = Q(pk__in=[])
    if scope.unit_ids:
        condition |= Q(responsible_unit_id__in=sorted(scope.unit_ids))
    if scope.custody_all:
        condition |= Q(track=Track.CUSTODY)
    elif scope.custody_institution_ids:
        condition |= Q(
            track=Track.CUSTODY, institution_id__in=sorted(scope.custody_institution_ids)
        )
    return cases_visible_to(user).filter(condition)


def _signed(model: Any) -> Any:
    return Exists(model.objects.filter(case=OuterRef("pk"), signed_at__isnull=False))


def tasks_for(user: Any) -> list[Task]:
    """Return the user's tasks, overdue first, then by due date."""
    today = timezone.localdate()
    scope = scope_for(user)
    tasks: list[Task] = []
    mine = casework_cases(user)
    assessing = mine.filter(status__in=[CaseStatus.INQUIRY, CaseStatus.ASSESSMENT])
    for ref, status, due in assessing.order_by("assessment_due_on", "id").values_list(
        "reference", "status", "assessment_due_on"
    )[:TASK_LIMIT]:
        tasks.append(
            Task(TaskKind.ASSESSMENT_DUE, ref, status, due, due is not None and due < today)
        )
    valid_consent = Consent.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        case=OuterRef("pk"),
        given_on__lte=today,
    )
    for ref, status, due in (
        assessing.filter(~Exists(valid_consent))
        .order_by("assessment_due_on", "id")
        .values_list("reference", "status", "assessment_due_on")[:TASK_LIMIT]
    ):
        tasks.append(
            Task(TaskKind.CONSENT_MISSING, ref, status, due, due is not None and due < today)
        )
    deciders = mine.filter(status=CaseStatus.ASSESSMENT).filter(
        _signed(TargetGroupAssessment),
        _signed(MotivationAssessment),
        _signed(SuitabilityAssessment),
    )
    decides_liberty = Q(responsible_unit_id__in=sorted(scope.coordinator_unit_ids))
    decides_custody = Q(track=Track.CUSTODY) if Role.CUSTODY_STAFF in scope.roles else Q(pk__in=[])
    for ref, status, due in (
        deciders.filter(decides_liberty | decides_custody)
        .order_by("assessment_due_on", "id")
        .values_list("reference", "status", "assessment_due_on")[:TASK_LIMIT]
    ):
        tasks.append(
            Task(TaskKind.READY_FOR_DECISION, ref, status, due, due is not None and due < today)
        )
    for ref, status, due in (
        InformationRequest.objects.filter(answered_at__isnull=True, referral__case__in=mine)
        .order_by("referral__due_on", "id")
        .values_list("referral__case__reference", "referral__case__status", "referral__due_on")[
            :TASK_LIMIT
        ]
    ):
        tasks.append(Task(TaskKind.INFORMATION_REQUESTED, ref, status, due, due < today))
    if scope.national and Role.NATIONAL_DECISION_MAKER in scope.roles:
        for ref, status, due in (
            Referral.objects.filter(final_decision__isnull=True, case__in=cases_visible_to(user))
            .order_by("due_on", "id")
            .values_list("case__reference", "case__status", "due_on")[:TASK_LIMIT]
        ):
            tasks.append(Task(TaskKind.REFERRAL_AWAITING, ref, status, due, due < today))
    tasks.sort(key=lambda t: (not t.overdue, t.due_on or date.max, t.reference))
    return tasks
