"""The task list (arbejdsliste): what is due for the user, computed from the cases themselves.

No task is stored: a task disappears the moment the case moves on. Each kind of
task is one query (plan actions three), so the number of queries is the same however
many cases there are. Each query names the user's cases by plain conditions on the
case row (unit, track, institution) rather than ``IN (all my cases)`` and takes the
most urgent ``TASK_LIMIT`` in due order from a partial index on the case row
(``case_unit_assessing_due`` for the assessment kinds; for reviews and unowned plan
actions ``case_unit_review_from`` and ``case_unit_action_due``, over two dates the
course and follow-up services keep on the case; for outcomes after the course
``case_unit_outcome_due``, over the date vejud.outcomes keeps), and the page shows the
``TASKS_SHOWN`` most urgent of all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, Manager, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vejud.access.advice import gives_advice, requests_visible_to, unit_requests
from vejud.access.cases import barred_persons
from vejud.access.casework import (
    acts_nationally,
    casework_cases,
    coordinates_condition,
    is_national_decider,
    my_casework,
    unit_decider_condition,
)
from vejud.access.frontdoor import public_inquiries_visible
from vejud.access.quality import reviews_visible
from vejud.access.rules import Capability, has_capability
from vejud.access.transfers import awaiting_answer
from vejud.accounts.models import User
from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.advice.selectors import overdue as advice_overdue
from vejud.advice.states import OPEN
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.cases.models import OPEN_STATUSES, Case, CaseStatus
from vejud.courses.models import OPEN_ACTION_STATUSES, MentorMeeting, PlanAction
from vejud.decisions.models import InformationRequest, Referral
from vejud.followup.models import EarlyWarning, WarningReason
from vejud.frontdoor.models import SubmissionStatus
from vejud.intake.models import Consent
from vejud.pool.models import Application, ApplicationStatus
from vejud.quality.models import ReviewStatus
from vejud.transfers.models import ReleasePlan


class TaskKind:
    ASSESSMENT_DUE = "assessment_due"
    READY_FOR_DECISION = "ready_for_decision"
    CONSENT_MISSING = "consent_missing"
    INFORMATION_REQUESTED = "information_requested"
    REFERRAL_AWAITING = "referral_awaiting"
    ACTION_DUE = "action_due"
    REVIEW_DUE = "review_due"
    MENTOR_ATTENTION = "mentor_attention"
    EARLY_WARNING = "early_warning"
    TRANSFER_INCOMING = "transfer_incoming"
    RELEASE_PLAN = "release_plan"
    GRANT_AWAITING = "grant_awaiting"
    GRANT_INFORMATION = "grant_information"
    ADVICE_ANSWERED = "advice_answered"
    ADVICE_WAITING = "advice_waiting"
    ADVICE_NEW = "advice_new"
    ADVICE_OVERDUE = "advice_overdue"
    PUBLIC_INQUIRY = "public_inquiry"
    REVIEW_ANSWER = "review_answer"
    OUTCOME_DUE = "outcome_due"


TASK_LABELS: dict[str, Promise] = {
    TaskKind.ASSESSMENT_DUE: _("Assessment due"),
    TaskKind.READY_FOR_DECISION: _("Ready for the unit's decision"),
    TaskKind.CONSENT_MISSING: _("Consent missing"),
    TaskKind.INFORMATION_REQUESTED: _("The contact point asks for information"),
    TaskKind.REFERRAL_AWAITING: _("Referral awaiting final decision"),
    TaskKind.ACTION_DUE: _("Plan action due"),
    TaskKind.REVIEW_DUE: _("Follow-up review due"),
    TaskKind.MENTOR_ATTENTION: _("The mentor asks for the unit's attention"),
    TaskKind.EARLY_WARNING: _("Early warning on the course"),
    TaskKind.TRANSFER_INCOMING: _("Transfer awaiting your answer"),
    TaskKind.RELEASE_PLAN: _("Release plan: items missing"),
    TaskKind.GRANT_AWAITING: _("Grant application awaiting decision"),
    TaskKind.GRANT_INFORMATION: _("The pool asks for information on a grant application"),
    TaskKind.ADVICE_ANSWERED: _("New answer from the national contact point"),
    TaskKind.ADVICE_WAITING: _("The national contact point asks your unit"),
    TaskKind.ADVICE_NEW: _("New advice request"),
    TaskKind.ADVICE_OVERDUE: _("Advice request past its target"),
    TaskKind.PUBLIC_INQUIRY: _("Inquiry from the public form awaiting an answer"),
    TaskKind.REVIEW_ANSWER: _("Case review awaiting the unit's answer"),
    TaskKind.OUTCOME_DUE: _("Outcome after the course due"),
}
SOON = timedelta(days=14)

# Per kind at most TASK_LIMIT rows are read; the page shows the TASKS_SHOWN most urgent
# of them all (TASK_LIMIT >= TASKS_SHOWN, so no kind's urgent tasks can be cut off).
TASK_LIMIT = 100
TASKS_SHOWN = 100


@dataclass(frozen=True)
class Described:
    """A task's text made when it is shown: ``make(*args)``. Compared by what it is made
    from, so two tasks are equal only when their texts would be."""

    make: Callable[..., str]
    args: tuple[Any, ...]

    def __call__(self) -> str:
        return self.make(*self.args)


@dataclass(frozen=True)
class Task:
    kind: str
    reference: str
    status: str
    due_on: date | None
    overdue: bool
    application_id: int | None = None  # a grant application to open instead of the case
    note: str = ""  # which one, where a case can have several of the kind (see ``detail``)
    href: str = ""  # a page to open instead of the case (an advice request)
    status_text: str = ""  # the status of that, instead of the case's
    # ``note`` worked out only when shown: the list reads up to TASK_LIMIT tasks of each kind
    # and the page shows the TASKS_SHOWN most urgent, so most are never shown.
    describe: Described | None = None

    @property
    def detail(self) -> str:
        """Which one, where a case can have several of the kind (a meeting, a warning)."""
        return self.describe() if self.describe is not None else self.note

    @property
    def label(self) -> Promise:
        return TASK_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return self.status_text or str(CaseStatus(self.status).label)


def _signed(model: Any) -> Any:
    return Exists(model.objects.filter(case=OuterRef("pk"), signed_at__isnull=False))


def _on(rows: Manager[Any] | QuerySet[Any], case: Case | None, path: str = "case") -> QuerySet[Any]:
    """``rows`` of ``case`` only (through ``path``), or all of them without a case."""
    return rows.all() if case is None else rows.filter(**{f"{path}_id": case.pk})


def _may_hold(case: Case | None, *statuses: str) -> bool:
    """Whether a kind of task whose query asks for a case in one of ``statuses`` can be found:
    always on the whole list; on one case (the case page's list) only in those statuses, so
    its list asks only for the kinds its case can hold (the answer the query would give)."""
    return case is None or case.status in statuses


def tasks_for(user: User, case: Case | None = None) -> list[Task]:
    """Return the user's tasks, overdue first, then by due date; with ``case``, only the
    user's tasks on that case (the case page's list: each query narrowed to the case)."""
    today = timezone.localdate()
    tasks: list[Task] = []
    if not has_capability(user, Capability.VIEW_CASES):
        return tasks
    mine = casework_cases(user)
    if case is not None:
        mine = mine.filter(pk=case.pk)
    if _may_hold(case, CaseStatus.INQUIRY, CaseStatus.ASSESSMENT):
        tasks += _assessment_tasks(user, mine, today, case)
    for ref, status, due in (
        _on(InformationRequest.objects, case, "referral__case")
        .filter(my_casework(user, today, "referral__case__"), answered_at__isnull=True)
        .order_by("referral__due_on", "id")
        .values_list("referral__case__reference", "referral__case__status", "referral__due_on")[
            :TASK_LIMIT
        ]
    ):
        tasks.append(Task(TaskKind.INFORMATION_REQUESTED, ref, status, due, due < today))
    if is_national_decider(user):
        for ref, status, due in (
            _on(Referral.objects, case)
            .filter(final_decision__isnull=True)
            .exclude(barred_persons(user.pk, today, "case__person_id"))
            .order_by("due_on", "id")
            .values_list("case__reference", "case__status", "due_on")[:TASK_LIMIT]
        ):
            tasks.append(Task(TaskKind.REFERRAL_AWAITING, ref, status, due, due < today))
    tasks += _course_tasks(user, mine, today, case)
    tasks += _grant_tasks(user, today, case)
    tasks += _advice_tasks(user, case)
    if case is None:  # not on a case: the inquiry has no case yet
        tasks += _public_inquiry_tasks(user, today)
    tasks += _review_answer_tasks(user, case)
    tasks.sort(key=lambda t: (not t.overdue, t.due_on or date.max, t.reference))
    return tasks


def _assessment_tasks(
    user: User, mine: QuerySet[Case], today: date, case: Case | None
) -> list[Task]:
    """Assessments due, consents missing, and cases ready for the unit's decision."""
    tasks: list[Task] = []
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
    if not _may_hold(case, CaseStatus.ASSESSMENT):
        return tasks
    deciders = mine.filter(status=CaseStatus.ASSESSMENT).filter(
        _signed(TargetGroupAssessment),
        _signed(MotivationAssessment),
        _signed(SuitabilityAssessment),
    )
    for ref, status, due in (
        deciders.filter(unit_decider_condition(user))
        .order_by("assessment_due_on", "id")
        .values_list("reference", "status", "assessment_due_on")[:TASK_LIMIT]
    ):
        tasks.append(
            Task(TaskKind.READY_FOR_DECISION, ref, status, due, due is not None and due < today)
        )
    return tasks


def _advice_task(kind: str, advice: AdviceRequest, *, overdue: bool = False) -> Task:
    return Task(
        kind,
        advice.case.reference
        if advice.case
        else gettext("Request %(number)s") % {"number": advice.pk},
        "",
        None,
        overdue,
        note=str(advice.get_topic_display()),
        href=reverse("advice:detail", kwargs={"advice_id": advice.pk}),
        status_text=str(advice.get_status_display()),
    )


def _advice_tasks(user: User, case: Case | None) -> list[Task]:
    """The unit's answered requests and questions from the advisers; the advisers' new and
    overdue requests (targets ``VEJUD_ADVICE_*``, in working hours)."""
    tasks: list[Task] = []
    waiting: dict[str, str] = {
        AdviceStatus.ANSWERED: TaskKind.ADVICE_ANSWERED,
        AdviceStatus.WAITING: TaskKind.ADVICE_WAITING,
    }
    for advice in (
        _on(unit_requests(user), case).filter(status__in=sorted(waiting)).select_related("case")
        .order_by("created_at", "id")[:TASK_LIMIT]
    ):  # fmt: skip
        tasks.append(_advice_task(waiting[advice.status], advice))
    if not gives_advice(user):
        return tasks
    now = timezone.now()
    for advice in (
        _on(requests_visible_to(user), case)
        .filter(status__in=sorted(OPEN), answered_at__isnull=True)
        .select_related("case").order_by("created_at", "id")[:TASK_LIMIT]
    ):  # fmt: skip
        late = advice_overdue(advice, now)
        if late or advice.status == AdviceStatus.NEW:
            kind = TaskKind.ADVICE_OVERDUE if late else TaskKind.ADVICE_NEW
            tasks.append(_advice_task(kind, advice, overdue=late))
    return tasks


def _meeting_detail(met_on: date) -> str:
    return gettext("Meeting of %(date)s") % {"date": date_format(met_on, "SHORT_DATE_FORMAT")}


def _warning_detail(reason: str, raised_at: datetime) -> str:
    return gettext("%(reason)s (raised %(date)s)") % {
        "reason": WarningReason(reason).label,
        "date": date_format(timezone.localtime(raised_at).date(), "SHORT_DATE_FORMAT"),
    }


def _course_tasks(user: User, mine: QuerySet[Case], today: date, case: Case | None) -> list[Task]:
    """Tasks of the exit course: plan actions, reviews, mentor flags, warnings, transfers, release."""
    tasks: list[Task] = []
    horizon = today + SOON
    open_actions = _on(PlanAction.objects, case).filter(
        status__in=OPEN_ACTION_STATUSES, deadline__lte=horizon
    )
    if _may_hold(case, CaseStatus.ADMITTED):  # plan actions and reviews: on a course
        # The user's own actions, and the unowned ones of their cases, each in deadline order on
        # its own index, merged here. The unowned ones are reached through the cases: the
        # TASK_LIMIT courses whose stored earliest unowned deadline (``Case.action_due_on``)
        # comes first hold the TASK_LIMIT most urgent unowned actions, so the database reads
        # those courses from an index and never the unit's other courses.
        due_actions: list[tuple[Any, int, str, str]] = list(
            open_actions.filter(owner_id=user.pk, case__status=CaseStatus.ADMITTED)
            .exclude(barred_persons(user.pk, today, "case__person_id"))
            .order_by("deadline", "id")
            .values_list("deadline", "id", "case__reference", "case__status")[:TASK_LIMIT]
        )
        courses = {
            pk: (ref, status)
            for pk, ref, status in mine.filter(
                status=CaseStatus.ADMITTED, action_due_on__lte=horizon
            )
            .order_by("action_due_on", "id")
            .values_list("id", "reference", "status")[:TASK_LIMIT]
        }
        for due, pk, case_id in (
            open_actions.filter(case_id__in=sorted(courses), owner__isnull=True)
            .order_by("deadline", "id")
            .values_list("deadline", "id", "case_id")[:TASK_LIMIT]
        ):
            due_actions.append((due, pk, *courses[case_id]))
        for due, _pk, ref, status in sorted(due_actions)[:TASK_LIMIT]:
            tasks.append(Task(TaskKind.ACTION_DUE, ref, status, due, due < today))
        # Reviews: the stored date the next review counts from (``Case.review_from``), in order.
        interval = timedelta(days=settings.VEJUD_REVIEW_DAYS)
        for ref, status, start in (
            mine.filter(status=CaseStatus.ADMITTED, review_from__lte=horizon - interval)
            .order_by("review_from", "id")
            .values_list("reference", "status", "review_from")[:TASK_LIMIT]
        ):
            assert start is not None  # the condition on review_from leaves out NULL
            due = start + interval
            tasks.append(Task(TaskKind.REVIEW_DUE, ref, status, due, due < today))
    # Outcomes after the course: the stored date the next point is due (``Case.outcome_due_on``,
    # kept by vejud.outcomes), in order.
    for ref, status, point in (
        mine.filter(outcome_due_on__lte=horizon)
        .order_by("outcome_due_on", "id")
        .values_list("reference", "status", "outcome_due_on")[:TASK_LIMIT]
    ):
        assert point is not None  # the condition on outcome_due_on leaves out NULL
        tasks.append(Task(TaskKind.OUTCOME_DUE, ref, status, point, point < today))
    # Flags on a course that still runs (closing the case ends them); they have no deadline,
    # so they are never "overdue", and each says which meeting or warning it is.
    # Named positively (the open statuses, not "not ended"): PostgreSQL then reads the unit's
    # open cases from their partial index and joins the warnings, instead of walking every
    # open warning in the country in date order (250 ms → 58 ms at 1,000,000 cases).
    if _may_hold(case, *OPEN_STATUSES):
        coordinated = coordinates_condition(user, today) & Q(case__status__in=sorted(OPEN_STATUSES))
        for ref, status, met_on in (
            _on(MentorMeeting.objects, case)
            .filter(coordinated, needs_attention=True, attention_resolved_at__isnull=True)
            .order_by("met_on", "id")
            .values_list("case__reference", "case__status", "met_on")[:TASK_LIMIT]
        ):
            meeting = Described(_meeting_detail, (met_on,))
            tasks.append(
                Task(TaskKind.MENTOR_ATTENTION, ref, status, None, False, describe=meeting)
            )
        for ref, status, reason, raised_at in (
            _on(EarlyWarning.objects, case)
            .filter(coordinated, resolved_at__isnull=True)
            .order_by("raised_at", "id")
            .values_list("case__reference", "case__status", "reason", "raised_at")[:TASK_LIMIT]
        ):
            warning = Described(_warning_detail, (reason, raised_at))
            tasks.append(Task(TaskKind.EARLY_WARNING, ref, status, None, False, describe=warning))
    # The transfers page's own rule (``awaiting_answer``): addressed to the user's unit, and
    # the person's lists do not bar the user.
    for ref, status in (
        _on(awaiting_answer(user, today=today), case)
        .order_by("requested_at", "id")
        .values_list("case__reference", "case__status")[:TASK_LIMIT]
    ):
        tasks.append(Task(TaskKind.TRANSFER_INCOMING, ref, status, None, False))
    if _may_hold(case, CaseStatus.ADMITTED):
        missing = Q()
        for item in ReleasePlan.CHECKLIST:
            missing |= Q(**{item: False})
        for ref, status, due in (
            _on(ReleasePlan.objects, case)
            .filter(missing, my_casework(user, today, "case__"), case__status=CaseStatus.ADMITTED)
            .order_by("release_on", "id")
            .values_list("case__reference", "case__status", "release_on")[:TASK_LIMIT]
        ):
            tasks.append(Task(TaskKind.RELEASE_PLAN, ref, status, due, due < today))
    return tasks


def _grant_tasks(user: User, today: date, case: Case | None) -> list[Task]:
    """Tasks of the central pool: applications to decide, and questions from the pool."""
    tasks: list[Task] = []
    if acts_nationally(user, Capability.DECIDE_GRANTS):
        for pk, ref, status in (
            _on(Application.objects, case)
            .filter(status=ApplicationStatus.SUBMITTED)
            .exclude(barred_persons(user.pk, today, "case__person_id"))
            .order_by("submitted_at", "id")
            .values_list("pk", "case__reference", "case__status")[:TASK_LIMIT]
        ):
            tasks.append(Task(TaskKind.GRANT_AWAITING, ref, status, None, False, pk))
    if has_capability(user, Capability.APPLY_GRANTS):
        for pk, ref, status in (
            _on(Application.objects, case)
            .filter(my_casework(user, today, "case__"), status=ApplicationStatus.INFO_REQUESTED)
            .order_by("updated_at", "id")
            .values_list("pk", "case__reference", "case__status")[:TASK_LIMIT]
        ):
            tasks.append(Task(TaskKind.GRANT_INFORMATION, ref, status, None, False, pk))
    return tasks


def _review_answer_tasks(user: User, case: Case | None) -> list[Task]:
    """The contact point's case reviews sent to the user's units and not yet answered, due
    ``VEJUD_REVIEW_ANSWER_DAYS`` after they were sent (one query, for those who answer)."""
    if not has_capability(user, Capability.ANSWER_REVIEWS):
        return []
    days = timedelta(days=settings.VEJUD_REVIEW_ANSWER_DAYS)
    today = timezone.localdate()
    tasks = []
    for pk, ref, status, sent in (
        _on(reviews_visible(user), case)
        .filter(status=ReviewStatus.RELEASED)
        .order_by("released_at", "id")
        .values_list("pk", "case__reference", "case__status", "released_at")[:TASK_LIMIT]
    ):
        due = timezone.localdate(sent) + days
        tasks.append(
            Task(
                TaskKind.REVIEW_ANSWER,
                ref,
                status,
                due,
                due < today,
                href=reverse("quality:review", kwargs={"review_id": pk}),
                status_text=str(ReviewStatus.RELEASED.label),
            )
        )
    return tasks


def _public_inquiry_tasks(user: User, today: date) -> list[Task]:
    """The public form's inquiries to the user's units awaiting an answer (one query)."""
    waiting = public_inquiries_visible(user).filter(status=SubmissionStatus.NEW)
    return [
        Task(
            TaskKind.PUBLIC_INQUIRY,
            code,
            "",
            due,
            due < today,
            href=reverse("frontdoor:detail", kwargs={"code": code}),
            status_text=str(SubmissionStatus.NEW.label),
        )
        for code, due in waiting.order_by("respond_by", "id").values_list("code", "respond_by")[
            :TASK_LIMIT
        ]
    ]
