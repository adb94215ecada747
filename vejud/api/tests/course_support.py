"""Helpers for the exit-course API tests: a JSON client with PATCH, cases and bodies."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vejud.api.tests.process_support import case_url
from vejud.audit.models import AuditEvent
from vejud.cases.models import Case
from vejud.courses.models import CaseOffer, MentorMeeting, PlanAction, PlanGoal
from vejud.followup.models import EarlyWarning, Review
from vejud.testing import make_admitted_case
from vejud.testing.api import JsonApi
from vejud.transfers.models import ReleasePlan, Transfer

__all__ = ["CourseApi", "case_url", "course_state", "review_body", "today"]


CourseApi = JsonApi  # the shared API client (vejud.testing.api) has PATCH and call()


def today() -> str:
    return timezone.localdate().isoformat()


def review_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reviewed_on": today(),
        "crime_stopped": 1,
        "environment_left": 1,
        "lifestyle_changed": 1,
        "motivation_level": 4,
    }
    body.update(overrides)
    return body


def admitted(world: Any, **kwargs: Any) -> Case:
    """Return an admitted unit-A case with an agreement (motivation 4, help wished: work)."""
    return make_admitted_case(world, **kwargs)


def course_state(case: Case) -> tuple[object, ...]:
    """Return what the course operations can change, to show that nothing did."""
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.responsible_unit_id,
        fresh.release_on,
        fresh.course_started_on,
        PlanGoal.objects.filter(case=case).count(),
        PlanAction.objects.filter(case=case).count(),
        list(PlanAction.objects.filter(case=case).values_list("status", "outcome", "deadline")),
        list(CaseOffer.objects.filter(case=case).values_list("status", "result", "ends_on")),
        MentorMeeting.objects.filter(case=case, attention_resolved_at__isnull=True).count(),
        Review.objects.filter(case=case).count(),
        EarlyWarning.objects.filter(case=case, resolved_at__isnull=True).count(),
        list(Transfer.objects.filter(case=case).values_list("status", flat=True)),
        list(ReleasePlan.objects.filter(case=case).values_list("housing", "note")),
        AuditEvent.objects.filter(case_id=case.pk).count(),
    )
