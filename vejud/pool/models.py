"""The central pool (central pulje): yearly budgets, guidelines per category, grant applications,
decisions, payments and releases.

Money is integer øre everywhere. Each budget year and category frame carries its running
``committed_ore`` (approved minus released) and ``paid_ore``, changed only by the services in
``pool.services`` under a row lock and bounded by check constraints, so the database itself
refuses a commitment above the budget or a payment above the commitment.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.audit.guard import append_only, guarded
from vejud.cases.fields import case_field
from vejud.core.constraints import end_not_before_start, in_range, positive
from vejud.core.fields import status_field
from vejud.core.models import StoredFile
from vejud.courses.models import PlanAction
from vejud.organisations.fields import unit_field


class Category(models.TextChoices):
    """What a grant pays for (the guidelines for flexible use are set per category)."""

    RELOCATION = "relocation", _("Temporary relocation / safehouse")
    TATTOO_REMOVAL = "tattoo_removal", _("Tattoo removal")
    PSYCHOLOGIST = "psychologist", _("Psychologist treatment")
    MOVING = "moving", _("Moving and start-up support")
    OTHER = "other", _("Other special measures")


class Funds(models.Model):
    """Money set aside and the running sums ``pool.services`` keep of it under a row lock:
    committed (approved minus released) and paid. Abstract; the subclass names the checks
    (``_money_constraints``) in its ``Meta``."""

    budget_ore = models.BigIntegerField(_("budget (øre)"), default=0)
    committed_ore = models.BigIntegerField(_("committed (øre)"), default=0)
    paid_ore = models.BigIntegerField(_("paid (øre)"), default=0)

    class Meta:
        abstract = True

    @property
    def available_ore(self) -> int:
        return self.budget_ore - self.committed_ore


def _money_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The database's bounds on a ``Funds`` row: nothing committed above the budget, nothing
    paid above the commitment."""
    return [
        models.CheckConstraint(condition=Q(budget_ore__gte=0), name=f"{prefix}_budget_nonneg"),
        models.CheckConstraint(
            condition=Q(committed_ore__gte=0) & Q(committed_ore__lte=F("budget_ore")),
            name=f"{prefix}_committed_within_budget",
        ),
        models.CheckConstraint(
            condition=Q(paid_ore__gte=0) & Q(paid_ore__lte=F("committed_ore")),
            name=f"{prefix}_paid_within_committed",
        ),
    ]


@guarded
class BudgetYear(Funds, CreatedRecord):
    """The pool's budget for one calendar year; the sum of its budget entries."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        constraints = [
            *_money_constraints("pool_year"),
            in_range("year", 2000, 2199, name="pool_year_range"),
        ]

    def __str__(self) -> str:
        return str(self.year)


@guarded
class CategoryFrame(Funds):
    """An optional part of a year's budget set aside for one category."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="frames")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    budget_ore = models.BigIntegerField(_("frame (øre)"), default=0)

    class Meta:
        ordering = ["budget_year", "category"]
        verbose_name = _("category frame")
        verbose_name_plural = _("category frames")
        constraints = [
            *_money_constraints("pool_frame"),
            models.UniqueConstraint(
                fields=["budget_year", "category"], name="pool_frame_one_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_year_id}/{self.category}"


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation")
    REALLOCATION = "reallocation", _("Reallocation between categories")
    REDUCTION = "reduction", _("Reduction")


@guarded
@append_only
class BudgetEntry(CreatedRecord):
    """One change of a year's budget or its frames; budgets are never edited silently.

    Allocation: the year gets ``amount`` more (and the ``to_category`` frame, if named).
    Reallocation: ``amount`` moves from the ``from_category`` frame to the ``to_category`` frame;
    an empty side is the year's unframed remainder. Reduction: the year (and the
    ``from_category`` frame, if named) gets ``amount`` less.
    """

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    from_category = models.CharField(
        _("from category"), max_length=20, choices=Category.choices, blank=True
    )
    to_category = models.CharField(
        _("to category"), max_length=20, choices=Category.choices, blank=True
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["budget_year", "created_at", "id"]
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        constraints = [
            positive("amount_ore", name="pool_entry_positive"),
            models.CheckConstraint(
                condition=~Q(kind="reallocation") | ~Q(from_category=F("to_category")),
                name="pool_entry_reallocation_moves",
            ),
            models.CheckConstraint(
                condition=~Q(kind="allocation") | Q(from_category=""),
                name="pool_entry_allocation_has_no_source",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reduction") | Q(to_category=""),
                name="pool_entry_reduction_has_no_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_ore}"


@guarded
class Guideline(CreatedRecord):
    """Guidelines for flexible use of the pool for one category, valid for a period."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    cap_per_grant_ore = models.BigIntegerField(_("cap per grant (øre)"))
    cap_per_person_year_ore = models.BigIntegerField(_("cap per person per year (øre)"))
    required_documentation = models.TextField(_("required documentation"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["category", "-valid_from"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")
        constraints = [
            models.CheckConstraint(
                condition=Q(cap_per_grant_ore__gt=0) & Q(cap_per_person_year_ore__gt=0),
                name="pool_guideline_caps_positive",
            ),
            end_not_before_start("valid_to", "valid_from", name="pool_guideline_period"),
        ]
        indexes = [models.Index(fields=["category", "valid_from"], name="pool_guideline_lookup")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.valid_from})"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting decision")
    INFO_REQUESTED = "info_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_APPLICATION_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED}
)
GRANTED_STATUSES = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED})
# The statuses a decision sets; the transitions between statuses are in ``pool.states``.
DECIDED_STATUSES = GRANTED_STATUSES | {ApplicationStatus.REFUSED}


@guarded
class Application(models.Model):
    """A unit's (or DfK's) application for a grant from the pool for one case."""

    case = case_field("grant_applications")
    applying_unit = unit_field(related_name="grant_applications")
    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="applications"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    guideline = models.ForeignKey(
        Guideline,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("guideline in force"),
    )
    plan_action = models.ForeignKey(
        PlanAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_applications",
        verbose_name=_("exit-plan action"),
    )
    amount_ore = models.BigIntegerField(_("amount applied for (øre)"))
    purpose = models.TextField(_("purpose"))
    supplier = models.CharField(_("supplier"), max_length=200)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    over_cap = models.BooleanField(_("above the guideline's cap"), default=False)
    over_cap_reason = models.TextField(_("reason for exceeding the cap"), blank=True)
    status = status_field(ApplicationStatus.SUBMITTED)
    approved_ore = models.BigIntegerField(_("approved (øre)"), default=0)
    paid_ore = models.BigIntegerField(_("paid (øre)"), default=0)
    released_ore = models.BigIntegerField(_("released (øre)"), default=0)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = user_field(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    submitted_by = user_field()
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="pool_app_status_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=sorted(DECIDED_STATUSES))
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                )
                | (
                    ~Q(status__in=sorted(DECIDED_STATUSES))
                    & Q(decided_by__isnull=True, decided_at__isnull=True, decision_reason="")
                ),
                name="pool_app_decided_exactly_when_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["partly_approved", "refused"]) | ~Q(decision_reason=""),
                name="pool_app_decision_has_reason",
            ),
            positive("amount_ore", name="pool_app_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="pool_app_period"
            ),
            models.CheckConstraint(
                condition=Q(over_cap=False) | ~Q(over_cap_reason=""),
                name="pool_app_over_cap_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(approved_ore__gte=0) & Q(approved_ore__lte=F("amount_ore")),
                name="pool_app_approved_within_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "partly_approved"]) | Q(approved_ore=0),
                name="pool_app_approval_only_when_granted",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_ore=F("amount_ore")),
                name="pool_app_full_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="partly_approved")
                | (Q(approved_ore__gt=0) & Q(approved_ore__lt=F("amount_ore"))),
                name="pool_app_partial_approval",
            ),
            models.CheckConstraint(
                condition=Q(paid_ore__gte=0)
                & Q(released_ore__gte=0)
                & Q(paid_ore__lte=F("approved_ore") - F("released_ore")),
                name="pool_app_paid_within_approval",
            ),
        ]
        indexes = [
            models.Index(fields=["applying_unit", "-submitted_at"], name="pool_app_unit"),
            models.Index(fields=["status", "-submitted_at"], name="pool_app_status"),
            models.Index(fields=["budget_year", "category"], name="pool_app_year_category"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PUL-{self.pk:05d}" if self.pk else "PUL-?"

    @property
    def committed_ore(self) -> int:
        """What this grant holds of the budget: approved minus released."""
        return self.approved_ore - self.released_ore

    @property
    def unpaid_ore(self) -> int:
        """Approved money neither paid nor released."""
        return self.approved_ore - self.released_ore - self.paid_ore

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def is_granted(self) -> bool:
        return self.status in GRANTED_STATUSES


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve in full")
    APPROVE_PARTLY = "approve_partly", _("Approve partly")
    REFUSE = "refuse", _("Refuse")
    ASK = "ask", _("Ask for more information")


@guarded
@append_only
class ApplicationEvent(models.Model):
    """The history of an application: decisions, questions, answers, withdrawals."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approve", _("Approved in full")
        APPROVED_PARTLY = "approve_partly", _("Approved partly")
        REFUSED = "refuse", _("Refused")
        QUESTION = "ask", _("More information requested")
        ANSWER = "answer", _("Information given")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        PAYMENT = "payment", _("Payment registered")
        RELEASE = "release", _("Unused money released")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    amount_ore = models.BigIntegerField(_("amount (øre)"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    actor = user_field()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class AttachmentKind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    INVOICE = "invoice", _("Invoice")
    OTHER = "other", _("Other documentation")


@guarded
class Attachment(StoredFile):
    """A quote, invoice or other document (PDF or image), stored encrypted."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    uploaded_by = user_field()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="pool_attachment_type",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


@guarded
@append_only
class Payment(CreatedRecord):
    """A payment made against an approved grant."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    invoice_reference = models.CharField(_("invoice reference"), max_length=100)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            positive("amount_ore", name="pool_payment_positive"),
        ]
        indexes = [models.Index(fields=["paid_on"], name="pool_payment_date")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount_ore}"
