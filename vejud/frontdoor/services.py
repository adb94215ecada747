"""Writes of the public front door: a submission, its registration as an inquiry or its closing,
the purge of what was sent, and the contact point's edits of the public texts. Each is atomic
and audited; the audit trail records that something was sent and where it went, never what."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.frontdoor import public_inquiries_visible
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited, audited_service
from vejud.cases.models import Case
from vejud.core.errors import ConflictError
from vejud.core.limits import required_text
from vejud.frontdoor.models import (
    PublicInquiry,
    PublicText,
    PublicTextVersion,
    SubmissionStatus,
    TextKey,
)
from vejud.frontdoor.routing import public_route
from vejud.intake.models import InquiryChannel, InquirySource
from vejud.intake.services import inquiry_register
from vejud.organisations.models import Municipality, Unit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CONTENT_FIELDS = ("called", "phone", "contact_times", "message")


def _new_code() -> str:
    """A short receipt code, e.g. ``K7XQ-4PMA``: 40 bits, unique (checked)."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not PublicInquiry.objects.filter(code=code).exists():
            return code


@audited_service
def public_inquiry_submit(
    *,
    sender: str,
    called: str,
    phone: str,
    contact_times: str = "",
    may_leave_message: bool = False,
    whereabouts: str,
    municipality: Municipality | None = None,
    institution: Unit | None = None,
    message: str = "",
) -> PublicInquiry:
    """Receive a message from the public form and route it (no signed-in actor)."""
    unit, held_in = public_route(
        whereabouts=whereabouts, municipality=municipality, institution=institution
    )
    now = timezone.now()
    inquiry = PublicInquiry.objects.create(
        code=_new_code(),
        sender=sender,
        called=called.strip(),
        phone=phone.strip(),
        contact_times=contact_times.strip(),
        may_leave_message=may_leave_message,
        whereabouts=whereabouts,
        municipality=municipality,
        institution=held_in,
        message=message.strip(),
        unit=unit,
        received_at=now,
        respond_by=timezone.localdate(now)
        + timedelta(days=settings.VEJUD_PUBLIC_INQUIRY_RESPONSE_DAYS),
    )
    audit_record(
        actor=None,
        action="public_inquiry.submit",
        obj=inquiry,
        changes={
            "unit": unit.pk,
            "whereabouts": whereabouts,
            "institution": getattr(held_in, "pk", None),
        },
    )
    return inquiry


def _purge(inquiry: PublicInquiry, now: Any) -> list[str]:
    """Blank what was sent (the record that it was sent, and where, stays)."""
    for field in CONTENT_FIELDS:
        setattr(inquiry, field, "")
    inquiry.purged_at = now
    return [*CONTENT_FIELDS, "purged_at"]


def _take(actor: User, inquiry: PublicInquiry) -> PublicInquiry:
    """Lock the inquiry for ``actor`` to answer: 403 without the capability, 404 outside their
    reach, 409 when someone has answered it already."""
    require(actor, Capability.HANDLE_PUBLIC_INQUIRIES)
    locked = public_inquiries_visible(actor).select_for_update().filter(pk=inquiry.pk).first()
    if locked is None:
        raise PermissionDenied
    if locked.status != SubmissionStatus.NEW:
        raise ConflictError(_("The inquiry has been answered already. Reload the page."))
    return locked


@audited_service
def public_inquiry_close(*, actor: User, inquiry: PublicInquiry, reason: str) -> PublicInquiry:
    """Close an inquiry without registering it (reason required); what was sent is purged."""
    reason = required_text(reason, _("Give a reason."), code="reason_required")
    locked = _take(actor, inquiry)
    now = timezone.now()
    locked.status, locked.handled_by, locked.handled_at = SubmissionStatus.CLOSED, actor, now
    locked.close_reason = reason
    locked.save(
        update_fields=["status", "handled_by", "handled_at", "close_reason", *_purge(locked, now)]
    )
    audit_record(actor=actor, action="public_inquiry.close", obj=locked, reason=reason)
    return locked


@audited_service
def public_inquiry_convert(*, actor: User, inquiry: PublicInquiry, **fields: Any) -> Case:
    """Register the inquiry on a person (``inquiry_register``'s fields, source "public form",
    channel "web form", received when it was sent); what was sent is then purged."""
    locked = _take(actor, inquiry)
    case = inquiry_register(
        actor=actor,
        source=InquirySource.PUBLIC_FORM,
        channel=InquiryChannel.WEB_FORM,
        received_on=timezone.localdate(locked.received_at),
        **fields,
    )
    now = timezone.now()
    locked.status, locked.handled_by, locked.handled_at = SubmissionStatus.CONVERTED, actor, now
    locked.case = case
    locked.save(update_fields=["status", "handled_by", "handled_at", "case", *_purge(locked, now)])
    audit_record(actor=actor, action="public_inquiry.convert", obj=locked, case_id=case.pk)
    return case


def public_inquiries_purge(*, today: date | None = None) -> int:
    """Purge what was sent in inquiries nobody answered within the retention period; return
    how many (those answered were purged when answered). Each purge is audited."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS)
    due = PublicInquiry.objects.filter(purged_at__isnull=True, received_at__date__lt=cutoff)
    if not due.exists():
        return 0
    now = timezone.now()
    purged = 0
    with audited():
        for inquiry in due.select_for_update():
            inquiry.save(update_fields=_purge(inquiry, now))
            audit_record(actor=None, action="public_inquiry.purge", obj=inquiry)
            purged += 1
    return purged


@audited_service
def public_text_update(
    *, actor: User, key: str, language: str, title: str, body: str
) -> PublicText:
    """Change one part of the public pages; the earlier version is kept."""
    require(actor, Capability.EDIT_PUBLIC_TEXTS)
    if key not in TextKey.values or language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown text."), code="unknown_text")
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("Give both a heading and a text."), code="required")
    now = timezone.now()
    text = PublicText.objects.select_for_update().filter(key=key, language=language).first()
    if text is None:
        text = PublicText.objects.create(
            key=key, language=language, title=title, body=body, changed_by=actor, changed_at=now
        )
        before: dict[str, Any] = {}
    else:
        before = {"title": text.title, "body": text.body}
        text.title, text.body, text.version = title, body, text.version + 1
        text.changed_by, text.changed_at = actor, now
        text.save(update_fields=["title", "body", "version", "changed_by", "changed_at"])
    PublicTextVersion.objects.create(
        text=text, version=text.version, title=title, body=body, changed_by=actor, changed_at=now
    )
    audit_record(
        actor=actor,
        action="public_text.update",
        obj=text,
        changes={"version": text.version, "title": [before.get("title"), title]},
    )
    return text
