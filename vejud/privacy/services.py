"""Writes of the data-protection app: producing a subject-access export."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from vejud.access.people import may_export_person
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited_service
from vejud.people.models import Person
from vejud.privacy.collect import withholding_candidates
from vejud.privacy.models import SubjectAccessExport


@audited_service
def subject_access_export_create(
    *, actor: User, person: Person, withheld: Mapping[str, str]
) -> SubjectAccessExport:
    """Record an export of everything held on ``person``, keeping back ``withheld``.

    ``withheld`` maps a candidate's key (``withholding_candidates``) to the reason; every
    key must be a candidate of this person and every reason given. The audit record names
    the parts kept back and why, never their content.
    """
    require(actor, Capability.SUBJECT_ACCESS)
    if not may_export_person(actor, person):
        raise PermissionDenied
    candidates = {candidate.key: candidate for candidate in withholding_candidates(person)}
    unknown = sorted(set(withheld) - set(candidates))
    if unknown:
        raise ValidationError(_("Unknown part to withhold: %(key)s.") % {"key": unknown[0]})
    missing = sorted(key for key, reason in withheld.items() if not reason.strip())
    if missing:
        raise ValidationError(
            _("Give the reason for withholding %(label)s.")
            % {"label": candidates[missing[0]].label},
            code="reason",
        )
    export = SubjectAccessExport.objects.create(
        person=person,
        requested_by=actor,
        withheld=[
            {"item": key, "label": candidates[key].label, "reason": reason.strip()}
            for key, reason in sorted(withheld.items())
        ],
    )
    audit_record(
        actor=actor,
        action="privacy.subject_access_export",
        obj=export,
        changes={"withheld": export.withheld},
        person_id=person.pk,
    )
    return export
