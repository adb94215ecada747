"""Intake reads: is sharing with an agency covered right now; the possible existing persons."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.persons import deciding_unit_condition
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.intake.models import Consent, ConsentAgency, MatchStatus, PossibleExistingPerson


class ConsentMissingError(ValidationError):
    """A sharing step was refused because no consent in force covers the receiving agency."""


def consent_in_force(case: Case, *, on: date | None = None) -> Consent | None:
    """Return the newest consent in force for the case, if any."""
    day = on or timezone.localdate()
    for consent in case.consents.all():
        if consent.is_valid_on(day):
            return consent
    return None


def consent_covers(case: Case, agency: str, *, on: date | None = None) -> bool:
    """Return True if a consent in force lets information be shared with ``agency``."""
    consent = consent_in_force(case, on=on)
    return consent is not None and agency in consent.agencies


def require_consent(case: Case, agency: str) -> Consent:
    """Return the consent covering ``agency`` or refuse the sharing step with a clear message."""
    consent = consent_in_force(case)
    if consent is None:
        raise ConsentMissingError(
            _("No valid consent is recorded for this case, so information cannot be shared."),
            code="consent_missing",
        )
    if agency not in consent.agencies:
        raise ConsentMissingError(
            _("The consent does not cover sharing with %(agency)s.")
            % {"agency": ConsentAgency(agency).label},
            code="consent_scope",
        )
    return consent


def possible_persons_for(user: User) -> list[PossibleExistingPerson]:
    """Return the pending possible-existing-person matches the user's unit decides."""
    return list(
        PossibleExistingPerson.objects.filter(
            deciding_unit_condition(user), status=MatchStatus.PENDING
        )
        .select_related(
            "inquiry__case__person",
            "inquiry__case__responsible_unit",
            "existing_person",
            "unit",
        )
        .order_by("created_at", "pk")
    )


def possible_person_for(user: User, match_id: int) -> PossibleExistingPerson:
    """Return one match the user's unit decides, or 404 (missing and not yours read the same)."""
    matches = PossibleExistingPerson.objects.filter(deciding_unit_condition(user))
    return get_object_or_404(
        matches.select_related("inquiry__case", "existing_person"), pk=match_id
    )
