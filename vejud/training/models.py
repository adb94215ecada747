"""Training and theme days (uddannelse): the catalogue, sessions with capacity and quotas,
registrations with a waiting list, attendance per day and completions.

Seats are counted in running totals (``Session.seats_taken``, ``Quota.seats_taken``) that only
``vejud.training.services`` changes, under a lock on the session's row, and that check
constraints bound by the capacity and the quota: the database itself refuses a seat too many.
A registration holds a seat while it is registered, offered (the offer holds it), attended
or completed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.accounts.models import Role
from vejud.audit.guard import guarded
from vejud.core.fields import status_field
from vejud.core.periods import covers
from vejud.organisations.fields import unit_field
from vejud.organisations.models import Agency, PoliceDistrict


class CourseKind(models.TextChoices):
    COURSE = "course", _("Course")
    THEME_DAY = "theme_day", _("Theme day")


@guarded
class Course(models.Model):
    """A course or theme day in the catalogue."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Empty: open to every agency / role.
    target_agencies = models.JSONField(_("target agencies"), default=list, blank=True)
    target_roles = models.JSONField(_("target roles"), default=list, blank=True)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=1)
    prerequisite = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prerequisite"),
    )
    # The roles that must hold a valid completion of this course.
    required_for_roles = models.JSONField(_("required for roles"), default=list, blank=True)
    # How long a completion stays valid; empty: it never expires.
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(duration_days__gte=1), name="training_duration_pos"),
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                name="training_validity_pos",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def target_agency_labels(self) -> list[str]:
        return _labels(dict[str, Any](Agency.choices), self.target_agencies)

    def target_role_labels(self) -> list[str]:
        return _labels(dict[str, Any](Role.choices), self.target_roles)

    def required_role_labels(self) -> list[str]:
        return _labels(dict[str, Any](Role.choices), self.required_for_roles)


def _labels(choices: dict[str, Any], values: list[str]) -> list[str]:
    return [str(choices[v]) for v in values if v in choices]


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    FULL = "full", _("Full")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


@guarded
class Session(CreatedRecord):
    """One run of a course: its days, place, capacity, quotas, deadline and teachers."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    place = models.CharField(_("place"), max_length=200)
    online = models.BooleanField(_("online"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)
    registration_deadline = models.DateTimeField(_("registration deadline"))
    status = status_field(SessionStatus.OPEN)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teaching", verbose_name=_("teachers")
    )

    class Meta:
        ordering = ["registration_deadline", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_capacity_pos"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="training_seats_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.pk})"

    @property
    def seats_free(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


@guarded
class SessionDay(models.Model):
    """One day of a session, with its times (aware datetimes; shown in Europe/Copenhagen)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="days")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="training_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def day(self) -> date:
        return timezone.localdate(self.starts_at)


@guarded
class Quota(models.Model):
    """Seats set aside as a cap for one agency or one police district; a seat counts against
    the session's capacity and every quota its registration falls under."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="quotas")
    agency = models.CharField(_("agency"), max_length=30, choices=Agency.choices, blank=True)
    district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("police district"),
    )
    seats = models.PositiveIntegerField(_("seats"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)

    class Meta:
        ordering = ["session", "agency", "district"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__gt="") & Q(district__isnull=True))
                | (Q(agency="") & Q(district__isnull=False)),
                name="training_quota_agency_or_district",
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("seats")), name="training_quota_within_seats"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency or self.district}: {self.seats}"

    def applies_to(self, *, agency: str, district_id: int | None) -> bool:
        if self.agency:
            return self.agency == agency
        return district_id is not None and self.district_id == district_id


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Offered a seat")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")


SEAT_STATUSES = frozenset(
    {
        RegistrationStatus.REGISTERED,
        RegistrationStatus.OFFERED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.COMPLETED,
    }
)
ACTIVE_STATUSES = SEAT_STATUSES | {RegistrationStatus.WAITING}


class CancelReason(models.TextChoices):
    NONE = "", _("—")
    PARTICIPANT = "participant", _("Cancelled")
    OFFER_EXPIRED = "offer_expired", _("The offer was not accepted in time")
    SESSION_CANCELLED = "session_cancelled", _("The session was cancelled")


@guarded
class Registration(models.Model):
    """A staff member's registration for a session (or their place on its waiting list).

    ``unit``, ``agency`` and ``district`` are the participant's at registration: the seat
    counts against the quotas they fall under, and the waiting list ranks by the unit.
    """

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("session")
    )
    user = user_field(related_name="training_registrations", verbose_name=_("participant"))
    unit = unit_field(verbose_name=_("unit"))
    agency = models.CharField(_("agency"), max_length=30, choices=Agency.choices)
    district = models.ForeignKey(
        PoliceDistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    cancel_reason = models.CharField(
        _("reason"), max_length=30, choices=CancelReason.choices, blank=True, default=""
    )
    registered_by = user_field()
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=~Q(status="cancelled"),
                name="training_one_active_registration",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="training_offer_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"], name="training_reg_queue"),
            models.Index(fields=["status", "offer_expires_at"], name="training_reg_offers"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id}: {self.status}"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES


@guarded
class Attendance(models.Model):
    """A participant checked in on one day of the session."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="attendances"
    )
    day = models.ForeignKey(SessionDay, on_delete=models.PROTECT, related_name="attendances")
    checked_in_by = user_field()
    checked_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "registration"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="training_attend_once"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} @ {self.day_id}"


@guarded
class Completion(models.Model):
    """A staff member completed a course: from a registration whose every day was attended,
    or recorded by the national contact point (e.g. before the system)."""

    user = user_field(related_name="training_completions", verbose_name=_("participant"))
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="completions", verbose_name=_("course")
    )
    registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completion",
    )
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = user_field()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "id"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [models.Index(fields=["course", "user"], name="training_completion_cu")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.course_id} {self.completed_on}"

    def valid_on(self, day: date) -> bool:
        return covers(None, self.valid_until, day)
