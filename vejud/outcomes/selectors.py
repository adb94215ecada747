"""Reads for outcomes after the course: a case's points, recorded or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from vejud.cases.models import Case
from vejud.courses.selectors import add_months
from vejud.outcomes.models import CaseOutcome
from vejud.outcomes.services import course_ended_on, outcome_points


@dataclass(frozen=True)
class Point:
    months: int
    due_on: date
    outcome: CaseOutcome | None

    @property
    def due(self) -> bool:
        """Not recorded, and its day has come."""
        return self.outcome is None and self.due_on <= timezone.localdate()

    @property
    def overdue(self) -> bool:
        return self.outcome is None and self.due_on < timezone.localdate()


def case_points(case: Case) -> tuple[date | None, list[Point]]:
    """The course's end (None: not followed up) and every point with its outcome, if any."""
    ended = course_ended_on(case)
    recorded = {
        o.months: o
        for o in CaseOutcome.objects.filter(case_id=case.pk).select_related("recorded_by")
    }
    if ended is None:
        return None, [Point(m, o.due_on, o) for m, o in sorted(recorded.items())]
    months = sorted(set(outcome_points()) | set(recorded))
    return ended, [
        Point(m, recorded[m].due_on if m in recorded else add_months(ended, m), recorded.get(m))
        for m in months
    ]
