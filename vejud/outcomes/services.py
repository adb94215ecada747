"""Writes for outcomes after the course: record one point; keep ``Case.outcome_due_on``.

A course ended by completion or interruption (``FOLLOWED_REASONS``) is followed up at each
point of ``VEJUD_OUTCOME_MONTHS`` after its end. The case stores when the next point not
yet recorded is due (``Case.outcome_due_on``, read by the task list): set in the closing
transaction (a receiver on ``CaseClosure``), advanced when a point is recorded, None when
every point is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vejud.access.casework import require_actor
from vejud.accounts.models import User
from vejud.audit.services import audit_case_change, audited_service
from vejud.cases.models import Case
from vejud.cases.services import case_row_lock
from vejud.cases.states import Actor
from vejud.core.dates import check_plausible_date
from vejud.core.errors import ConflictError
from vejud.courses.models import CaseClosure, ClosureReason
from vejud.courses.selectors import add_months
from vejud.outcomes.models import Answer, CaseOutcome

# The closure reasons after which the outcome is followed up (not moved abroad, deceased).
FOLLOWED_REASONS = frozenset(
    {
        ClosureReason.COMPLETED,
        ClosureReason.INTERRUPTED,
        ClosureReason.STOPPED_CRIME,
        ClosureReason.STOPPED_AGREEMENT,
    }
)


def outcome_points() -> tuple[int, ...]:
    """The points after the course, in months (``VEJUD_OUTCOME_MONTHS``), ascending."""
    return tuple(settings.VEJUD_OUTCOME_MONTHS)


def course_ended_on(case: Case) -> date | None:
    """The day the course ended, if it ended by completion or interruption (else None)."""
    closure = CaseClosure.objects.filter(case_id=case.pk).values_list("reason", "closed_at").first()
    if closure is None or closure[0] not in FOLLOWED_REASONS:
        return None
    return timezone.localdate(closure[1])


def next_due_on(ended_on: date | None, recorded: set[int]) -> date | None:
    """When the earliest point not in ``recorded`` is due (None: all recorded, or no course)."""
    if ended_on is None:
        return None
    return next((add_months(ended_on, m) for m in outcome_points() if m not in recorded), None)


def due_points(case: Case, today: date | None = None) -> list[tuple[int, date]]:
    """The points (months, due date) that have come and are not recorded yet."""
    ended = course_ended_on(case)
    if ended is None:
        return []
    today = today or timezone.localdate()
    recorded = set(CaseOutcome.objects.filter(case_id=case.pk).values_list("months", flat=True))
    return [
        (m, add_months(ended, m))
        for m in outcome_points()
        if m not in recorded and add_months(ended, m) <= today
    ]


def outcome_due_refresh(*, case_id: int) -> None:
    """Store on the case when its next outcome is due; call in the transaction of the change."""
    case_row_lock(case_id)
    case = Case(pk=case_id)
    recorded = set(CaseOutcome.objects.filter(case_id=case_id).values_list("months", flat=True))
    due = next_due_on(course_ended_on(case), recorded)
    Case.objects.filter(pk=case_id).update(outcome_due_on=due)


def _answer(value: str, code: str) -> str:
    if value not in Answer.values:
        raise ValidationError(_("Choose yes, no or unknown."), code=code)
    return value


def _point(case: Case, months: int, today: date) -> tuple[date, date]:
    """The course's end and the point's due date; refused unless the point has come."""
    ended = course_ended_on(case)
    if ended is None:
        raise ValidationError(
            _("Outcomes are recorded after a course ended by completion or interruption."),
            code="months",
        )
    if months not in outcome_points():
        raise ValidationError(_("Choose one of the points after the course."), code="months")
    due = add_months(ended, months)
    if due > today:
        raise ValidationError(
            _("The point of %(months)s months is due on %(date)s.")
            % {"months": months, "date": date_format(due, "SHORT_DATE_FORMAT")},
            code="months",
        )
    return ended, due


def _consent(consented: bool, consented_on: date | None, account: str, today: date) -> date | None:
    """The date the person agreed to be asked; the account only with that consent."""
    if not consented:
        if account:
            raise ValidationError(
                _("The person's own account is recorded only if the person agreed to be asked."),
                code="account",
            )
        return None
    if consented_on is None:
        raise ValidationError(_("Give the date the person agreed."), code="consented_on")
    check_plausible_date(consented_on, label=_("The date the person agreed"))
    if consented_on > today:
        raise ValidationError(_("The date cannot be in the future."), code="consented_on")
    return consented_on


@audited_service
def outcome_record(
    *,
    actor: User,
    case: Case,
    months: int,
    reregistered: str,
    new_charges: str,
    consented: bool = False,
    consented_on: date | None = None,
    account: str = "",
) -> CaseOutcome:
    """Record the outcome at one point after the course (once; only a point that has come)."""
    require_actor(actor, case, Actor.CASEWORKER)
    case_row_lock(case.pk)
    today = timezone.localdate()
    ended, due = _point(case, months, today)
    account = account.strip()
    agreed_on = _consent(consented, consented_on, account, today)
    if CaseOutcome.objects.filter(case_id=case.pk, months=months).exists():
        raise ConflictError(
            _("The outcome at %(months)s months is recorded already.") % {"months": months},
            code="recorded",
        )
    outcome = CaseOutcome.objects.create(
        case=case,
        months=months,
        course_ended_on=ended,
        due_on=due,
        reregistered=_answer(reregistered, "reregistered"),
        new_charges=_answer(new_charges, "new_charges"),
        consented=consented,
        consented_on=agreed_on,
        account=account,
        recorded_by=actor,
    )
    audit_case_change(actor=actor, action="outcome.record", obj=outcome, case=case)
    outcome_due_refresh(case_id=case.pk)
    return outcome


def _on_closure(
    sender: Any, instance: CaseClosure, created: bool, raw: bool = False, **_kwargs: Any
) -> None:
    """A course closed: its first outcome falls due (in the closing transaction)."""
    if created and not raw and instance.reason in FOLLOWED_REASONS:
        outcome_due_refresh(case_id=instance.case_id)


def connect() -> None:
    """Connect the receiver (``OutcomesConfig.ready``)."""
    post_save.connect(_on_closure, sender=CaseClosure, dispatch_uid="vejud_outcomes_closure")
