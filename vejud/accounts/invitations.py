"""Invitation links for single sign-on (issue 20).

A system administrator makes a single-use link for a user (valid ``VEJUD_OIDC_INVITATION_DAYS``
days; only the SHA-256 of its token is stored, the link is shown once). The person opens
it and signs in at one of the providers; the provider's subject (issuer + ``sub``) is then
linked to the user, and the login goes on as any linked login (vejud's TOTP step unless the
provider's ``acr``/``amr`` counts). An unknown, expired or used link is refused with a clear
message and links nothing; so is a provider login already linked to another user.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.rules import Capability, has_capability
from vejud.accounts.models import Invitation, ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.audit.services import audit_record, audited

SESSION_KEY = "vejud_invitation"  # the opened invitation's token hash, until the login


class InvitationProblem(StrEnum):
    UNKNOWN = "invitation_unknown"
    EXPIRED = "invitation_expired"
    USED = "invitation_used"
    OTHER_USER = "invitation_other_user"


def problem_message(problem: InvitationProblem) -> str:
    return {
        InvitationProblem.UNKNOWN: _(
            "This invitation link is not valid. Check that you copied all of it, or ask your "
            "administrator for a new one."
        ),
        InvitationProblem.EXPIRED: _(
            "This invitation link has expired. Ask your administrator for a new one."
        ),
        InvitationProblem.USED: _(
            "This invitation link has already been used. Ask your administrator for a new one "
            "if you still cannot sign in."
        ),
        InvitationProblem.OTHER_USER: _(
            "Your login at the identity provider is already linked to another vejud user. "
            "The invitation was not used; ask your administrator."
        ),
    }[problem]


def invitation_create(
    *, actor: User, user: User, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Make a single-use invitation link token for ``user``; return it and the raw token
    (shown once). Only a system administrator may; audited."""
    if not has_capability(actor, Capability.ADMINISTER):
        raise PermissionDenied(_("Only a system administrator can invite."))
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    with audited():
        invitation = Invitation.objects.create(
            user=user,
            token_hash=Invitation.hash_token(raw),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.VEJUD_OIDC_INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action="account.invitation_create",
            obj=invitation,
            changes={"user": user.pk, "expires_at": invitation.expires_at.isoformat()},
        )
    return invitation, raw


def invitation_check(token_hash: str, *, now: datetime | None = None) -> Invitation:
    """The open invitation with this token hash; raise ``InvitationRefused`` otherwise."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_related("user").filter(token_hash=token_hash).first()
    if invitation is None or not invitation.user.is_active:
        raise InvitationRefused(InvitationProblem.UNKNOWN)
    if invitation.used_at is not None:
        raise InvitationRefused(InvitationProblem.USED)
    if invitation.expires_at <= now:
        raise InvitationRefused(InvitationProblem.EXPIRED)
    return invitation


class InvitationRefused(Exception):
    def __init__(self, problem: InvitationProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.message = problem_message(problem)


def invitation_open(request: HttpRequest, raw: str) -> Invitation:
    """The person opened the link: keep it in the session until they sign in."""
    invitation = invitation_check(Invitation.hash_token(raw))
    request.session[SESSION_KEY] = invitation.token_hash
    return invitation


def invitation_accept(
    *, token_hash: str, subject: ProviderSubject, now: datetime | None = None
) -> User:
    """Link ``subject`` (an unlinked provider login) to the invitation's user and use the
    invitation up; audited. Refused (nothing changed) when the invitation is no longer open
    or the subject belongs to another user."""
    now = now or timezone.now()
    with audited():
        locked = Invitation.objects.select_for_update().filter(token_hash=token_hash).first()
        invitation = invitation_check(token_hash, now=now)
        assert locked is not None and locked.pk == invitation.pk
        current = ProviderSubject.objects.select_for_update().get(pk=subject.pk)
        if current.user_id is not None and current.user_id != invitation.user_id:
            raise InvitationRefused(InvitationProblem.OTHER_USER)
        subject_link(actor=invitation.created_by, subject=current, user=invitation.user)
        invitation.used_at = now
        invitation.subject = current
        invitation.save(update_fields=["used_at", "subject"])
        audit_record(
            actor=None,
            action="account.invitation_accept",
            obj=invitation,
            changes={"user": invitation.user_id, "subject": current.pk, "provider": current.name},
        )
        subject.refresh_from_db()
    return invitation.user
