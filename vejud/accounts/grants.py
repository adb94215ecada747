"""Case-access roles granted with four eyes (issue 11, hole 1).

A membership that reaches case content, or that grants such memberships
(``vejud.access.rules.FOUR_EYES_ROLES``: every role but the analyst), is never made in the admin. The national contact point's head or a system administrator requests
it with a reason; a different person with the same capability approves it (never the
requester, never the user who gets the role); the approval creates the membership; every
approved grant waits in the auditor's queue (/revision/rolletildelinger/) until reviewed.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.rules import Capability, require, role_needs_four_eyes
from vejud.access.units import role_unit_problem
from vejud.accounts.models import Membership, RoleGrant, RoleGrantStatus, User
from vejud.audit.services import audit_record, audited_service, snapshot
from vejud.core.limits import check_period, required_text
from vejud.core.records import stamp
from vejud.organisations.models import Unit


def _check_role_for_unit(role: str, unit: Unit) -> None:
    if not role_needs_four_eyes(role):
        raise ValidationError(
            _(
                "Only roles that give case access or grant them are granted here; others in the admin."
            ),
            code="not_case_role",
        )
    problem = role_unit_problem(role, unit)
    if problem is not None:
        raise ValidationError(problem, code="role_unit")


@audited_service
def role_grant_request(
    *,
    actor: User,
    user: User,
    unit: Unit,
    role: str,
    agency: str,
    reason: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> RoleGrant:
    """Ask for a case-access role for ``user``; another person must approve it."""
    require(actor, Capability.GRANT_CASE_ROLES)
    _check_role_for_unit(role, unit)
    reason = required_text(reason, _("Give a reason."), code="reason_required")
    start = valid_from or timezone.localdate()
    check_period(start, valid_to, _("The end cannot be before the start."))
    grant = RoleGrant.objects.create(
        user=user,
        unit=unit,
        role=role,
        agency=agency,
        valid_from=start,
        valid_to=valid_to,
        reason=reason,
        requested_by=actor,
    )
    audit_record(actor=actor, action="role_grant.request", obj=grant, changes=snapshot(grant))
    return grant


def _decidable(actor: User, grant: RoleGrant) -> RoleGrant:
    require(actor, Capability.GRANT_CASE_ROLES)
    locked = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.status != RoleGrantStatus.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    if actor.pk in (locked.requested_by_id, locked.user_id):
        raise PermissionDenied(
            _("A second person approves: not the one who asked, nor the one who gets the role.")
        )
    return locked


@audited_service
def role_grant_approve(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """Approve a pending request (four eyes): the membership is created now."""
    grant = _decidable(actor, grant)
    grant.membership = Membership.objects.create(
        user=grant.user,
        unit=grant.unit,
        role=grant.role,
        agency=grant.agency,
        valid_from=grant.valid_from,
        valid_to=grant.valid_to,
    )
    stamp(grant, "decided", actor, membership=grant.membership, status=RoleGrantStatus.APPROVED)
    audit_record(
        actor=actor,
        action="role_grant.approve",
        obj=grant,
        changes={
            "membership_id": grant.membership.pk,
            "role": grant.role,
            "user_id": grant.user_id,
        },
    )
    return grant


@audited_service
def role_grant_reject(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """Reject a pending request (the same four-eyes rule as approval)."""
    grant = _decidable(actor, grant)
    stamp(grant, "decided", actor, status=RoleGrantStatus.REJECTED)
    audit_record(actor=actor, action="role_grant.reject", obj=grant, changes={"status": "rejected"})
    return grant


@audited_service
def role_grant_review(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """The auditor marks an approved grant as reviewed (not one that gave the auditor a role)."""
    require(actor, Capability.REVIEW_ROLE_GRANTS)
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.status != RoleGrantStatus.APPROVED or grant.reviewed_at is not None:
        raise ValidationError(_("Only an approved grant awaiting review can be reviewed."))
    if actor.pk == grant.user_id:
        raise PermissionDenied(_("Your own grant: another auditor reviews it."))
    stamp(grant, "reviewed", actor)
    audit_record(actor=actor, action="role_grant.review", obj=grant, changes={"reviewed": True})
    return grant


def role_grants_pending() -> list[RoleGrant]:
    """Return the requests awaiting a second person's decision, oldest first."""
    return list(
        RoleGrant.objects.filter(status=RoleGrantStatus.PENDING)
        .select_related("user", "unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def role_grants_to_review() -> list[RoleGrant]:
    """Return the approved grants awaiting the auditor's review, oldest first."""
    return list(
        RoleGrant.objects.filter(status=RoleGrantStatus.APPROVED, reviewed_at__isnull=True)
        .select_related("user", "unit", "requested_by", "decided_by")
        .order_by("decided_at", "pk")
    )
