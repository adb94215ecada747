"""Reads about consent: is sharing with an agency covered right now?"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.cases.models import Case
from vejud.intake.models import Consent, ConsentAgency


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
