"""Writes for the central pool: budgets, guidelines, applications, decisions, payments, releases.

Every money-moving write locks rows in one order — application, then budget year, then
category frame — so concurrent approvals queue on the budget year's row (PostgreSQL
``SELECT ... FOR UPDATE``; SQLite serialises writers with ``BEGIN IMMEDIATE``). The running
totals are also bounded by check constraints, so no code path can commit more than the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vejud.access.cases import CaseAccess, case_access
from vejud.access.casework import acts_nationally
from vejud.access.rules import Capability, Part, has_capability, require
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited_service, snapshot
from vejud.cases.models import Case, CaseStatus
from vejud.core.dates import check_plausible_date
from vejud.core.errors import ConflictError
from vejud.core.limits import check_period, required_text
from vejud.core.records import save_fields
from vejud.core.uploads import check_upload, decrypt_file
from vejud.courses.models import PlanAction
from vejud.pool.models import (
    GRANTED_STATUSES,
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Attachment,
    AttachmentKind,
    BudgetEntry,
    BudgetYear,
    Category,
    CategoryFrame,
    DecisionOutcome,
    EntryKind,
    Guideline,
    Payment,
)
from vejud.pool.money import MAX_ORE, format_kroner
from vejud.pool.states import NO_DOCUMENTS, OUTCOME_TARGETS, check_transition

# Cases a grant can be applied for: under assessment (e.g. an urgent safehouse) or in a course.
APPLICABLE_STATUSES = frozenset({CaseStatus.ASSESSMENT, CaseStatus.ADMITTED})


class InsufficientBudget(ConflictError):
    """An approval would take the year's or the category's committed amount above its budget."""


class StaleApplicationError(ConflictError):
    """Someone else changed the application since the user loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _("The application was changed by someone else. Reload the page and try again."),
            code="stale",
        )


# --- Permission helpers -------------------------------------------------------------------


def _require_case_part(actor: User, case: Case) -> CaseAccess:
    """Return the actor's access to ``case``; 403 without a basis that shows grants."""
    access = case_access(actor, case)
    if access is None or not access.can_see(Part.GRANTS):
        raise PermissionDenied(_("You have no access to this case's grants."))
    return access


def _require_applicant(actor: User, case: Case) -> None:
    require(actor, Capability.APPLY_GRANTS)
    if _require_case_part(actor, case).break_glass:
        raise PermissionDenied(_("Breaking the glass gives access to read, not to apply."))


def _require_national(actor: User, capability: Capability, case: Case) -> None:
    require(actor, capability)
    if not _require_case_part(actor, case).as_national:
        raise PermissionDenied(_("Only the National Exit Contact Point can do this."))


def _require_pool_manager(actor: User) -> None:
    require(actor, Capability.MANAGE_POOL)
    if not acts_nationally(actor, Capability.MANAGE_POOL):
        raise PermissionDenied(_("Only the National Exit Contact Point can do this."))


def _check_amount(amount_ore: int, *, field: str = "amount") -> None:
    if isinstance(amount_ore, bool) or not isinstance(amount_ore, int):
        raise ValidationError(_("Amounts are whole øre."), code="amount_type")
    if amount_ore <= 0:
        raise ValidationError(_("The amount must be more than 0."), code=f"{field}_positive")
    if amount_ore > MAX_ORE:
        raise ValidationError(_("The amount is too large."), code="amount_too_large")


def _audit(actor: User, action: str, obj: Any, changes: dict[str, Any], case: Case | None) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        person_id=case.person_id if case else None,
        case_id=case.pk if case else None,
    )


# --- Budget years and entries -------------------------------------------------------------


@audited_service
def budget_year_create(*, actor: User, year: int, amount_ore: int, reason: str) -> BudgetYear:
    """Open a budget year with its first allocation."""
    _require_pool_manager(actor)
    if not 2000 <= year <= 2199:
        raise ValidationError(_("Choose a year between 2000 and 2199."), code="year")
    taken = ConflictError(
        _("There is already a budget for %(year)s.") % {"year": year}, code="year_exists"
    )
    if BudgetYear.objects.filter(year=year).exists():
        raise taken
    budget_year = BudgetYear(year=year, created_by=actor)
    try:
        with transaction.atomic():  # a savepoint: a concurrent creation of the year wins
            budget_year.save(force_insert=True)
    except IntegrityError as exc:
        raise taken from exc
    _audit(actor, "pool.year_create", budget_year, {"year": year}, None)
    _apply_entry(
        actor=actor,
        budget_year=budget_year,
        kind=EntryKind.ALLOCATION,
        amount_ore=amount_ore,
        from_category="",
        to_category="",
        reason=reason,
    )
    budget_year.refresh_from_db()
    return budget_year


@audited_service
def budget_entry_add(
    *,
    actor: User,
    budget_year: BudgetYear,
    kind: str,
    amount_ore: int,
    reason: str,
    from_category: str = "",
    to_category: str = "",
) -> BudgetEntry:
    """Allocate, reallocate between categories, or reduce a year's budget (an audited entry)."""
    _require_pool_manager(actor)
    return _apply_entry(
        actor=actor,
        budget_year=budget_year,
        kind=kind,
        amount_ore=amount_ore,
        from_category=from_category,
        to_category=to_category,
        reason=reason,
    )


def _frame(year: BudgetYear, category: str) -> CategoryFrame:
    frame = CategoryFrame.objects.select_for_update().filter(budget_year=year, category=category)
    existing = frame.first()
    if existing is not None:
        return existing
    return CategoryFrame.objects.create(budget_year=year, category=category)


def _add_to_frame(year: BudgetYear, category: str, amount_ore: int) -> None:
    """Put ``amount_ore`` into a category frame."""
    target = _frame(year, category)
    save_fields(target, budget_ore=target.budget_ore + amount_ore)


def _take_from_frame(year: BudgetYear, category: str, amount_ore: int) -> None:
    """Take ``amount_ore`` out of a category frame, never below what it has committed."""
    source = _frame(year, category)
    if source.budget_ore - amount_ore < source.committed_ore:
        raise ValidationError(
            _("Only %(available)s of the frame for %(category)s is not committed.")
            % {
                "available": format_kroner(source.available_ore),
                "category": Category(category).label,
            },
            code="frame_committed",
        )
    source.budget_ore -= amount_ore
    source.save(update_fields=["budget_ore"])


def _apply_entry(
    *,
    actor: User,
    budget_year: BudgetYear,
    kind: str,
    amount_ore: int,
    from_category: str,
    to_category: str,
    reason: str,
) -> BudgetEntry:
    _check_amount(amount_ore)
    if kind not in EntryKind.values:
        raise ValidationError(_("Choose what kind of change this is."), code="kind")
    for category in (from_category, to_category):
        if category and category not in Category.values:
            raise ValidationError(_("Choose a category."), code="category")
    reason = required_text(reason, _("Give the reason for the change."), code="reason")
    year = BudgetYear.objects.select_for_update().get(pk=budget_year.pk)
    framed = CategoryFrame.objects.filter(budget_year=year).aggregate(s=Sum("budget_ore"))["s"] or 0
    if kind == EntryKind.ALLOCATION:
        if from_category:
            raise ValidationError(_("An allocation adds money; it has no source."), code="source")
        if year.budget_ore + amount_ore > MAX_ORE:
            raise ValidationError(_("The amount is too large."), code="amount_too_large")
        year.budget_ore += amount_ore
        if to_category:
            _add_to_frame(year, to_category, amount_ore)
    elif kind == EntryKind.REALLOCATION:
        if from_category == to_category:
            raise ValidationError(
                _("A reallocation moves money between two different places."), code="same"
            )
        if from_category:
            _take_from_frame(year, from_category, amount_ore)
        elif year.budget_ore - framed < amount_ore:
            raise ValidationError(
                _("Only %(available)s of the year's budget is outside the category frames.")
                % {"available": format_kroner(year.budget_ore - framed)},
                code="unframed",
            )
        if to_category:
            _add_to_frame(year, to_category, amount_ore)
    else:  # reduction
        if to_category:
            raise ValidationError(_("A reduction removes money; it has no target."), code="target")
        if from_category:
            _take_from_frame(year, from_category, amount_ore)
            framed -= amount_ore
        if year.budget_ore - amount_ore < max(year.committed_ore, framed):
            raise ValidationError(
                _(
                    "The budget cannot go below what is committed or set aside in frames (%(floor)s)."
                )
                % {"floor": format_kroner(max(year.committed_ore, framed))},
                code="below_committed",
            )
        year.budget_ore -= amount_ore
    year.save(update_fields=["budget_ore"])
    entry = BudgetEntry.objects.create(
        budget_year=year,
        kind=kind,
        amount_ore=amount_ore,
        from_category=from_category,
        to_category=to_category,
        reason=reason,
        created_by=actor,
    )
    _audit(actor, f"pool.budget_{kind}", entry, snapshot(entry), None)
    return entry


# --- Guidelines ---------------------------------------------------------------------------


def guideline_in_force(category: str, day: date | None = None) -> Guideline | None:
    """Return the guideline for ``category`` in force on ``day`` (today by default)."""
    day = day or timezone.localdate()
    return (
        Guideline.objects.filter(category=category, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


@audited_service
def guideline_publish(
    *,
    actor: User,
    category: str,
    description: str,
    cap_per_grant_ore: int,
    cap_per_person_year_ore: int,
    required_documentation: str,
    valid_from: date,
    valid_to: date | None = None,
) -> Guideline:
    """Publish a guideline for a category; the one in force until then ends the day before."""
    _require_pool_manager(actor)
    if category not in Category.values:
        raise ValidationError(_("Choose a category."), code="category")
    _check_amount(cap_per_grant_ore, field="cap")
    _check_amount(cap_per_person_year_ore, field="cap")
    if cap_per_person_year_ore < cap_per_grant_ore:
        raise ValidationError(
            _("The cap per person per year cannot be lower than the cap per grant."),
            code="caps",
        )
    missing = _("Describe the use and the documentation required.")
    description = required_text(description, missing, code="description")
    required_documentation = required_text(required_documentation, missing, code="description")
    check_plausible_date(valid_from, label=_("Valid from"))
    if valid_to is not None:
        check_plausible_date(valid_to, label=_("Valid to"))
    check_period(valid_from, valid_to, _("The period ends before it starts."))
    existing = list(Guideline.objects.select_for_update().filter(category=category))
    for other in existing:
        if other.valid_from >= valid_from:
            raise ValidationError(
                _("A guideline for this category already starts on %(day)s; publish one after it.")
                % {"day": date_format(other.valid_from, "SHORT_DATE_FORMAT")},
                code="overlap",
            )
        if other.valid_to is None or other.valid_to >= valid_from:
            before = snapshot(other, ["valid_to"])
            other.valid_to = valid_from - timedelta(days=1)
            other.save(update_fields=["valid_to"])
            _audit(
                actor,
                "pool.guideline_end",
                other,
                {"valid_to": [before["valid_to"], str(other.valid_to)]},
                None,
            )
    guideline = Guideline.objects.create(
        category=category,
        description=description,
        cap_per_grant_ore=cap_per_grant_ore,
        cap_per_person_year_ore=cap_per_person_year_ore,
        required_documentation=required_documentation,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor,
    )
    _audit(actor, "pool.guideline_publish", guideline, snapshot(guideline), None)
    return guideline


# --- Applications -------------------------------------------------------------------------


@dataclass(frozen=True)
class CapCheck:
    """How an amount compares with the guideline's caps."""

    guideline: Guideline
    person_year_before_ore: int  # committed + pending for the person, category and year
    over_grant_cap: bool
    over_person_cap: bool

    @property
    def over_cap(self) -> bool:
        return self.over_grant_cap or self.over_person_cap


def cap_check(
    *, case: Case, category: str, amount_ore: int, year: int, exclude_pk: int | None = None
) -> CapCheck:
    """Compare ``amount_ore`` with the caps of the guideline in force for ``category``."""
    guideline = guideline_in_force(category)
    if guideline is None:
        raise ValidationError(
            _(
                "No guideline is in force for this category, so the pool cannot take applications for it."
            ),
            code="no_guideline",
        )
    others = Application.objects.filter(
        case__person_id=case.person_id, category=category, budget_year__year=year
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    pending = others.filter(status__in=OPEN_APPLICATION_STATUSES).aggregate(s=Sum("amount_ore"))
    granted = others.filter(status__in=GRANTED_STATUSES).aggregate(
        s=Sum(F("approved_ore") - F("released_ore"))
    )
    before = (pending["s"] or 0) + (granted["s"] or 0)
    return CapCheck(
        guideline=guideline,
        person_year_before_ore=before,
        over_grant_cap=amount_ore > guideline.cap_per_grant_ore,
        over_person_cap=before + amount_ore > guideline.cap_per_person_year_ore,
    )


@audited_service
def application_submit(
    *,
    actor: User,
    case: Case,
    category: str,
    amount_ore: int,
    purpose: str,
    supplier: str,
    period_from: date,
    period_to: date,
    plan_action: PlanAction | None = None,
    over_cap_reason: str = "",
) -> Application:
    """Apply for a grant for ``case``; an amount above the guideline's caps needs a reason."""
    _require_applicant(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in APPLICABLE_STATUSES:
        raise ValidationError(
            _("Grants can be applied for on cases under assessment or in an exit course."),
            code="case_status",
        )
    if category not in Category.values:
        raise ValidationError(_("Choose a category."), code="category")
    _check_amount(amount_ore)
    purpose = required_text(purpose, _("Describe what the grant is for."), code="purpose")
    supplier = required_text(supplier, _("Name the supplier."), code="supplier")
    check_plausible_date(period_from, label=_("Period from"))
    check_plausible_date(period_to, label=_("Period to"))
    check_period(period_from, period_to, _("The period ends before it starts."))
    if plan_action is not None and plan_action.case_id != case.pk:
        raise ValidationError(_("The action is not in this case's exit plan."), code="action")
    budget_year = BudgetYear.objects.filter(year=period_from.year).first()
    if budget_year is None:
        raise ValidationError(
            _("The pool has no budget for %(year)s yet.") % {"year": period_from.year},
            code="no_budget_year",
        )
    check = cap_check(case=case, category=category, amount_ore=amount_ore, year=budget_year.year)
    reason = over_cap_reason.strip()
    if check.over_cap and not reason:
        raise ValidationError(
            _("The amount is above the guideline's cap: give the reason for the exception."),
            code="over_cap_reason",
        )
    application = Application.objects.create(
        case=case,
        applying_unit=case.responsible_unit,
        budget_year=budget_year,
        category=category,
        guideline=check.guideline,
        plan_action=plan_action,
        amount_ore=amount_ore,
        purpose=purpose,
        supplier=supplier,
        period_from=period_from,
        period_to=period_to,
        over_cap=check.over_cap,
        over_cap_reason=reason if check.over_cap else "",
        submitted_by=actor,
    )
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.SUBMITTED,
        amount_ore=amount_ore,
        actor=actor,
    )
    _audit(actor, "pool.apply", application, snapshot(application), case)
    return application


def _lock(application: Application, expected_version: int | None) -> Application:
    locked = (
        Application.objects.select_for_update()
        .select_related("case", "budget_year")
        .get(pk=application.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleApplicationError()
    return locked


def _touch(application: Application, fields: list[str]) -> None:
    application.version += 1
    application.updated_at = timezone.now()
    application.save(update_fields=[*fields, "version", "updated_at"])


@dataclass(frozen=True)
class _ApplicantStep:
    """A step the applicant takes: the status it moves to and the event that keeps its text."""

    status: ApplicationStatus
    kind: ApplicationEvent.Kind
    action: str
    missing: str  # the refusal when the text is empty, translated when it is raised
    code: str


_WITHDRAW = _ApplicantStep(
    ApplicationStatus.WITHDRAWN,
    ApplicationEvent.Kind.WITHDRAWN,
    "pool.withdraw",
    gettext_noop("Give the reason for withdrawing."),
    "reason",
)
_ANSWER = _ApplicantStep(
    ApplicationStatus.SUBMITTED,
    ApplicationEvent.Kind.ANSWER,
    "pool.answer",
    gettext_noop("Write the answer."),
    "answer",
)


def _applicant_step(
    actor: User,
    application: Application,
    expected_version: int | None,
    step: _ApplicantStep,
    text: str,
) -> Application:
    """The applicant takes ``step`` on ``application`` with a required text kept as an event."""
    _require_applicant(actor, application.case)
    application = _lock(application, expected_version)
    check_transition(application.status, step.status)
    text = required_text(text, _(step.missing), code=step.code)
    application.status = step.status
    _touch(application, ["status"])
    ApplicationEvent.objects.create(application=application, kind=step.kind, text=text, actor=actor)
    _audit(actor, step.action, application, {"status": step.status.value}, application.case)
    return application


@audited_service
def application_withdraw(
    *, actor: User, application: Application, reason: str, expected_version: int | None = None
) -> Application:
    """Withdraw an application that has not been decided."""
    return _applicant_step(actor, application, expected_version, _WITHDRAW, reason)


@audited_service
def application_answer(
    *, actor: User, application: Application, answer: str, expected_version: int | None = None
) -> Application:
    """Answer the pool's request for more information; the application awaits decision again."""
    return _applicant_step(actor, application, expected_version, _ANSWER, answer)


def _commit(application: Application, amount_ore: int) -> None:
    """Commit ``amount_ore`` of the year (and category frame) budget, or refuse."""
    year = BudgetYear.objects.select_for_update().get(pk=application.budget_year_id)
    frame = (
        CategoryFrame.objects.select_for_update()
        .filter(budget_year=year, category=application.category)
        .first()
    )
    if amount_ore > year.available_ore:
        raise InsufficientBudget(
            _("Not enough budget left: %(available)s is available in %(year)s.")
            % {"available": format_kroner(max(year.available_ore, 0)), "year": year.year},
            code="insufficient_budget",
        )
    if frame is not None and amount_ore > frame.available_ore:
        raise InsufficientBudget(
            _("Not enough budget left: %(available)s is available for %(category)s in %(year)s.")
            % {
                "available": format_kroner(max(frame.available_ore, 0)),
                "category": Category(application.category).label,
                "year": year.year,
            },
            code="insufficient_budget",
        )
    BudgetYear.objects.filter(pk=year.pk).update(committed_ore=F("committed_ore") + amount_ore)
    if frame is not None:
        CategoryFrame.objects.filter(pk=frame.pk).update(
            committed_ore=F("committed_ore") + amount_ore
        )


def _lock_totals(application: Application) -> None:
    """Lock the application's budget year and category frame rows (after the application)."""
    BudgetYear.objects.select_for_update().get(pk=application.budget_year_id)
    list(
        CategoryFrame.objects.select_for_update().filter(
            budget_year_id=application.budget_year_id, category=application.category
        )
    )


def _move(application: Application, *, committed: int = 0, paid: int = 0) -> None:
    """Change the running totals of the application's year and frame (rows already locked)."""
    changes = {"committed_ore": F("committed_ore") + committed, "paid_ore": F("paid_ore") + paid}
    BudgetYear.objects.filter(pk=application.budget_year_id).update(**changes)
    CategoryFrame.objects.filter(
        budget_year_id=application.budget_year_id, category=application.category
    ).update(**changes)


@audited_service
def application_decide(
    *,
    actor: User,
    application: Application,
    outcome: str,
    reason: str = "",
    amount_ore: int | None = None,
    expected_version: int | None = None,
) -> Application:
    """Approve in full or in part, refuse, or ask for more information (national decision-maker).

    An approval commits money from the year's budget (and its category frame): it fails
    with "not enough budget left" rather than ever going above it.
    """
    _require_national(actor, Capability.DECIDE_GRANTS, application.case)
    application = _lock(application, expected_version)
    if outcome not in DecisionOutcome.values:
        raise ValidationError(_("Choose a decision."), code="outcome")
    check_transition(application.status, OUTCOME_TARGETS[DecisionOutcome(outcome)])
    reason = reason.strip()
    if outcome != DecisionOutcome.APPROVE and not reason:
        raise ValidationError(_("Give the reason (or, when asking, the question)."), code="reason")
    if outcome == DecisionOutcome.ASK:
        application.status = ApplicationStatus.INFO_REQUESTED
        _touch(application, ["status"])
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.QUESTION, text=reason, actor=actor
        )
        _audit(actor, "pool.ask", application, {"question": reason}, application.case)
        return application
    approved = 0
    if outcome == DecisionOutcome.APPROVE:
        approved = application.amount_ore
        status = ApplicationStatus.APPROVED
    elif outcome == DecisionOutcome.APPROVE_PARTLY:
        if amount_ore is None:
            raise ValidationError(_("Give the approved amount."), code="amount")
        _check_amount(amount_ore)
        if amount_ore >= application.amount_ore:
            raise ValidationError(
                _("A partial approval is less than the %(amount)s applied for.")
                % {"amount": format_kroner(application.amount_ore)},
                code="amount_partial",
            )
        approved = amount_ore
        status = ApplicationStatus.PARTLY_APPROVED
    else:
        status = ApplicationStatus.REFUSED
    if approved:
        _commit(application, approved)
    application.status = status
    application.approved_ore = approved
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    _touch(application, ["status", "approved_ore", "decision_reason", "decided_by", "decided_at"])
    ApplicationEvent.objects.create(
        application=application,
        kind=outcome,
        amount_ore=approved or None,
        text=reason,
        actor=actor,
    )
    _audit(
        actor,
        f"pool.{outcome}",
        application,
        {"status": status, "approved_ore": approved, "reason": reason},
        application.case,
    )
    return application


@audited_service
def payment_register(
    *,
    actor: User,
    application: Application,
    paid_on: date,
    amount_ore: int,
    invoice_reference: str,
) -> Payment:
    """Register a payment against an approved grant; never more than what is left of it."""
    _require_national(actor, Capability.MANAGE_POOL, application.case)
    application = _lock(application, None)
    if application.status not in GRANTED_STATUSES:
        raise ConflictError(_("Payments are made only on approved grants."), code="status")
    _check_amount(amount_ore)
    if paid_on > timezone.localdate():
        raise ValidationError(_("A payment cannot be dated in the future."), code="paid_on")
    check_plausible_date(paid_on, label=_("Paid on"))
    invoice_reference = required_text(
        invoice_reference, _("Give the invoice reference."), code="invoice_reference"
    )
    if amount_ore > application.unpaid_ore:
        raise ValidationError(
            _("Only %(left)s of the grant is left to pay.")
            % {"left": format_kroner(application.unpaid_ore)},
            code="over_approved",
        )
    _lock_totals(application)
    payment = Payment.objects.create(
        application=application,
        paid_on=paid_on,
        amount_ore=amount_ore,
        invoice_reference=invoice_reference,
        created_by=actor,
    )
    application.paid_ore += amount_ore
    _touch(application, ["paid_ore"])
    _move(application, paid=amount_ore)
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.PAYMENT,
        amount_ore=amount_ore,
        text=payment.invoice_reference,
        actor=actor,
    )
    _audit(actor, "pool.payment", payment, snapshot(payment), application.case)
    return payment


@audited_service
def grant_release(
    *, actor: User, application: Application, reason: str, amount_ore: int | None = None
) -> Application:
    """Release approved money that will not be paid back to the budget (all of it by default)."""
    _require_national(actor, Capability.MANAGE_POOL, application.case)
    application = _lock(application, None)
    if application.status not in GRANTED_STATUSES:
        raise ConflictError(_("Only an approved grant holds money to release."), code="status")
    amount = application.unpaid_ore if amount_ore is None else amount_ore
    _check_amount(amount)
    if amount > application.unpaid_ore:
        raise ValidationError(
            _("Only %(left)s of the grant is unpaid.")
            % {"left": format_kroner(application.unpaid_ore)},
            code="over_unpaid",
        )
    reason = required_text(reason, _("Give the reason for releasing the money."), code="reason")
    _lock_totals(application)
    application.released_ore += amount
    _touch(application, ["released_ore"])
    _move(application, committed=-amount)
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.RELEASE,
        amount_ore=amount,
        text=reason,
        actor=actor,
    )
    _audit(
        actor,
        "pool.release",
        application,
        {"released_ore": amount, "reason": reason},
        application.case,
    )
    return application


# --- Attachments --------------------------------------------------------------------------


@audited_service
def attachment_add(
    *, actor: User, application: Application, kind: str, filename: str, data: bytes
) -> Attachment:
    """Attach a quote, invoice or other document (PDF, PNG or JPEG; size-limited, sniffed)."""
    if has_capability(actor, Capability.MANAGE_POOL):
        _require_national(actor, Capability.MANAGE_POOL, application.case)
    else:
        _require_applicant(actor, application.case)
    application = _lock(application, None)
    if application.status in NO_DOCUMENTS:
        raise ConflictError(
            _("Documents cannot be added to a refused or withdrawn application."), code="status"
        )
    if kind not in AttachmentKind.values:
        raise ValidationError(_("Choose what the document is."), code="kind")
    checked = check_upload(
        filename=filename,
        data=data,
        limit=settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES,
        fallback="bilag",
    )
    attachment = Attachment.objects.create(
        application=application,
        kind=kind,
        **checked.stored(),
        uploaded_by=actor,
    )
    _audit(
        actor,
        "pool.attachment_add",
        attachment,
        snapshot(attachment, ["kind", "filename", "content_type", "size", "sha256"]),
        application.case,
    )
    return attachment


def attachment_content(attachment: Attachment) -> bytes:
    """Return the decrypted bytes of an attachment (callers have authorised and logged)."""
    return decrypt_file(attachment.content)
