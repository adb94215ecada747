"""Intake: the inquiry (henvendelse) that opens a case, and the person's consent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field, one_case_field
from vejud.core.constraints import end_not_before_start
from vejud.core.fields import status_field
from vejud.organisations.fields import unit_field
from vejud.organisations.models import Municipality


class InquirySource(models.TextChoices):
    PERSON = "person", _("The person")
    RELATIVE = "relative", _("A relative")
    POLICE = "police", _("Police")
    PRISON = "prison", _("Prison or remand institution")
    MUNICIPALITY = "municipality", _("Municipality")
    ASSOCIATION = "association", _("Association")
    PUBLIC_FORM = "public_form", _("Public contact form")


class InquiryChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WEB_FORM = "web_form", _("Web form")


@guarded
class Inquiry(models.Model):
    """Henvendelse: how the case came in, and where it was routed."""

    case = one_case_field("inquiry")
    source = models.CharField(_("source"), max_length=20, choices=InquirySource.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=InquiryChannel.choices)
    received_on = models.DateField(_("received"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("municipality"),
    )
    in_custody = models.BooleanField(_("deprived of liberty"), default=False)
    note = models.TextField(_("note"), blank=True)
    registered_by = user_field()
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        constraints = [
            models.CheckConstraint(
                condition=Q(in_custody=True) | Q(municipality__isnull=False),
                name="inquiry_routable",
            ),
        ]

    def __str__(self) -> str:
        return f"Inquiry for case {self.case_id}"


class MatchBasis(models.TextChoices):
    CPR = "cpr", _("CPR number")
    NAME = "name", _("Name and date of birth")


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    LINKED = "linked", _("Linked to the existing person")
    REJECTED = "rejected", _("Not the same person")


@guarded
class PossibleExistingPerson(models.Model):
    """An inquiry whose person may be one already registered outside the registering user's reach.

    The registering user is told nothing (issue 11, holes 3 and 5); the unit responsible for
    the existing person (or the national contact point) links the inquiry's case to them or
    rejects the match.
    """

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="possible_persons")
    existing_person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = unit_field(related_name="possible_persons", verbose_name=_("deciding unit"))
    matched_on = models.CharField(_("matched on"), max_length=10, choices=MatchBasis.choices)
    status = status_field(MatchStatus.PENDING, max_length=10)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = user_field(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("possible existing person")
        verbose_name_plural = _("possible existing persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="possible_person_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Possible existing person for inquiry {self.inquiry_id}"


class ConsentMethod(models.TextChoices):
    SIGNED_PAPER = "signed_paper", _("Signed on paper (scanned)")
    IN_PERSON = "in_person", _("Given in person at the first meeting")


class ConsentAgency(models.TextChoices):
    """The agencies a consent lets share information about the person."""

    POLICE = "police", _("Police")
    MUNICIPALITY = "municipality", _("Municipality")
    KRIMINALFORSORGEN = "kriminalforsorgen", _("Prison and Probation Service")
    NATIONAL = "national", _("National Exit Contact Point")


class ConsentTopic(models.TextChoices):
    """What the agencies may share."""

    CRIME = "crime", _("Crime and gang affiliation")
    SOCIAL = "social", _("Social conditions, housing and economy")
    HEALTH = "health", _("Health and treatment")
    EMPLOYMENT = "employment", _("Work and education")
    SAFETY = "safety", _("Threats and safety")


@guarded
class Consent(models.Model):
    """Samtykkeerklæring: lets the named agencies share the named information; can be withdrawn."""

    case = case_field("consents")
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how given"), max_length=20, choices=ConsentMethod.choices)
    agencies = models.JSONField(_("agencies that may share"), default=list)
    topics = models.JSONField(_("information that may be shared"), default=list)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = user_field()
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)
    withdrawal_recorded_by = user_field(null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["case", "-given_on"], name="consent_case_recent")]
        constraints = [
            end_not_before_start("withdrawn_on", "given_on", name="consent_withdrawn_after_given"),
            end_not_before_start("valid_until", "given_on", name="consent_valid_after_given"),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} for case {self.case_id}"

    @property
    def agency_labels(self) -> list[str]:
        """The agencies by their names in the user's language, in the form's order."""
        return [str(a.label) for a in ConsentAgency if a.value in self.agencies]

    def is_valid_on(self, day: object) -> bool:
        """Return True if the consent is in force on ``day``."""
        return (
            self.given_on <= day  # type: ignore[operator]
            and (self.withdrawn_on is None or self.withdrawn_on > day)  # type: ignore[operator]
            and (self.valid_until is None or self.valid_until >= day)  # type: ignore[operator]
        )
