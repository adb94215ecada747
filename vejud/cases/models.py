"""Cases: one exit attempt (exitsag) by a person, its journal, mentors and break-glass grants."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.constraints import end_not_before_start, not_blank
from vejud.core.fields import status_field
from vejud.core.periods import covers
from vejud.organisations.fields import unit_field
from vejud.people.models import Person


class Track(models.TextChoices):
    """Spor: at liberty (local unit) or deprived of liberty (DfK and the institution)."""

    LIBERTY = "liberty", _("At liberty")
    CUSTODY = "custody", _("In custody")


class CaseStatus(models.TextChoices):
    """Where the case is in the exit process; the transitions are in ``cases.states``."""

    INQUIRY = "inquiry", _("Inquiry")
    ASSESSMENT = "assessment", _("Assessment")
    REFUSED = "refused", _("Refused")
    REFERRED = "referred", _("Referred for final decision")
    ADMITTED = "admitted", _("Admitted (exit course)")
    REFUSAL_UPHELD = "refusal_upheld", _("Refusal upheld")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DROPPED = "dropped", _("Dropped during assessment")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.INQUIRY,
        CaseStatus.ASSESSMENT,
        CaseStatus.REFUSED,
        CaseStatus.REFERRED,
        CaseStatus.ADMITTED,
    }
)


class CaseReferenceCounter(models.Model):
    """The last reference number handed out in a year (EX-YYYY-NNNNN)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


@guarded
class Case(models.Model):
    """Exitsag: one attempt by a person to leave, with a responsible unit and a track."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    responsible_unit = unit_field(related_name="cases", verbose_name=_("responsible unit"))
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    institution = unit_field(
        null=True, blank=True, related_name="custody_cases", verbose_name=_("institution")
    )
    status = status_field(CaseStatus.INQUIRY)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="later_cases",
        verbose_name=_("earlier attempt"),
    )
    assessment_due_on = models.DateField(_("assessment due"), null=True, blank=True)
    course_started_on = models.DateField(_("exit course started"), null=True, blank=True)
    release_on = models.DateField(
        _("expected release"),
        null=True,
        blank=True,
        help_text=_("Custody cases: the expected release date."),
    )
    # Kept by the course and follow-up services for the task list (worklist.selectors), so
    # it finds what is due without reading every course of the unit. ``review_from``: the
    # latest follow-up review, else the start of the exit course; ``action_due_on``: the
    # earliest deadline of the open plan actions nobody owns. Stored as the dates they are,
    # not as due dates, so a changed review interval or horizon never leaves them stale.
    review_from = models.DateField(_("reviews counted from"), null=True, blank=True, editable=False)
    action_due_on = models.DateField(
        _("next unowned plan action due"), null=True, blank=True, editable=False
    )
    # Kept by vejud.outcomes: when the next outcome after the course is due (the earliest
    # point of ``VEJUD_OUTCOME_MONTHS`` not yet recorded; None when all are, or the course did
    # not end by completion or interruption).
    outcome_due_on = models.DateField(
        _("next outcome after the course due"), null=True, blank=True, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["responsible_unit", "-id"], name="case_unit_recent"),
            models.Index(fields=["responsible_unit", "status", "-id"], name="case_unit_status"),
            models.Index(fields=["institution", "track", "-id"], name="case_institution"),
            models.Index(fields=["status", "-id"], name="case_status_recent"),
            models.Index(fields=["person", "-id"], name="case_person"),
            # The task list: cases being assessed, by due date, per unit (worklist.selectors).
            # Covering (PostgreSQL): the task rows and the access lists' person are read from
            # the index alone, so the planner walks it in due-date order instead of every
            # open case in the country (consent missing: 17 -> 1.7 ms at 1,000,000 cases).
            models.Index(
                fields=["responsible_unit", "assessment_due_on", "id"],
                include=["person", "status", "reference"],
                name="case_unit_assessing_cover",
                condition=Q(status__in=["inquiry", "assessment"]),
            ),
            # A unit's open cases (the task list's warnings, flags and release plans join
            # them): covering, so a unit's few thousand are read from the index alone
            # (early warnings: 14.7 -> 4.8 ms at 1,000,000 cases).
            models.Index(
                fields=["responsible_unit", "id"],
                include=["person", "status", "reference"],
                name="case_unit_open",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # The task list: courses by the date reviews count from, and by the next
            # deadline of an action nobody owns, per unit (worklist.selectors).
            models.Index(
                fields=["responsible_unit", "review_from", "id"],
                name="case_unit_review_from",
                condition=Q(status="admitted", review_from__isnull=False),
            ),
            models.Index(
                fields=["responsible_unit", "action_due_on", "id"],
                name="case_unit_action_due",
                condition=Q(status="admitted", action_due_on__isnull=False),
            ),
            # The task list: ended courses by the next outcome due, per unit.
            models.Index(
                fields=["responsible_unit", "outcome_due_on", "id"],
                name="case_unit_outcome_due",
                condition=Q(outcome_due_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(track="liberty", institution__isnull=True)
                | Q(track="custody", institution__isnull=False),
                name="case_custody_has_institution",
            ),
            end_not_before_start("closed_on", "opened_on", name="case_closed_after_opened"),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^EX-[0-9]{4}-[0-9]{5}$"),
                name="case_reference_format",
            ),
            # At most one open case per person: the services lock the person's row and check
            # first (cases.services.case_create); this index is what makes it hold.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@guarded
class JournalEntry(models.Model):
    """A journal note; nothing is edited, a correction is a new entry pointing at the old."""

    case = case_field("journal_entries")
    author = user_field(related_name="journal_entries")
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    text = models.TextField(_("text"))
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["case", "-created_at", "-id"], name="journal_case_recent")]
        constraints = [
            not_blank("text", name="journal_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Journal entry {self.pk} on case {self.case_id}"


@guarded
class MentorAssignment(models.Model):
    """A mentor (fast kontaktperson) assigned to a case for a period."""

    case = case_field("mentor_assignments")
    mentor = user_field(related_name="mentor_assignments")
    starts_on = models.DateField(_("starts"), default=timezone.localdate)
    ends_on = models.DateField(_("ends"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["mentor", "ends_on"], name="mentor_active")]
        constraints = [
            end_not_before_start("ends_on", "starts_on", name="mentor_period_valid"),
        ]

    def __str__(self) -> str:
        return f"Mentor {self.mentor_id} on case {self.case_id}"

    def active_on(self, day: date) -> bool:
        """Whether the assignment is in force on ``day``."""
        return covers(self.starts_on, self.ends_on, day)


@guarded
class BreakGlassGrant(models.Model):
    """Time-limited access outside scope, given on a written reason; reviewed by an auditor."""

    user = user_field(related_name="break_glass_grants")
    case = case_field("break_glass_grants")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = user_field(null=True, blank=True, related_name="break_glass_reviews")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["user", "expires_at"], name="breakglass_user_active"),
            models.Index(fields=["reviewed_at"], name="breakglass_review_queue"),
        ]
        constraints = [
            not_blank("reason", name="breakglass_reason_required"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="breakglass_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Break-glass {self.pk}: user {self.user_id} case {self.case_id}"


@guarded
class CaseTransition(models.Model):
    """One move in the state machine: who moved the case, when, from where to where, and why."""

    case = case_field("transitions")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    actor = user_field(related_name="case_transitions")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="transition_case_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="transition_changes_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"
