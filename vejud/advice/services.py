"""Writes for advice requests: asking, assigning, the thread, the answer, internal notes, the
advisers' access period and closing.

Every function is keyword-only, atomic and audited in the same transaction, and checks the
actor through ``vejud.access.advice``. The state table is ``vejud.advice.states``. Response
times are measured from ``created_at`` to ``first_response_at`` (the first word from an adviser
the unit sees) and ``answered_at`` (the first answer), in working hours (``selectors``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr

from vejud.access.advice import asker_unit_ids, gives_advice, may_ask_about, on_unit_side
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.advice.models import (
    AdviceMessage,
    AdviceNote,
    AdviceRequest,
    AdviceStatus,
    Judgement,
    Topic,
    Urgency,
)
from vejud.advice.states import next_status
from vejud.audit.services import audit_case_change, audit_record, audited_service, snapshot
from vejud.cases.models import Case, JournalEntry
from vejud.core.limits import required_text
from vejud.core.records import save_fields
from vejud.organisations.models import Unit

# Ten digits as ddmmyy-ssss (with or without the dash or a space), not part of a longer number.
CPR_LIKE = re.compile(r"(?<![\d-])(\d{6})[- ]?(\d{4})(?![\d-])")


def contains_cpr(text: str) -> bool:
    """Return True if ``text`` holds something that is a valid CPR number (date and form)."""
    return any(stdnum_cpr.is_valid(a + b) for a, b in CPR_LIKE.findall(text))


def _no_cpr(text: str, field: str) -> None:
    if contains_cpr(text):
        raise ValidationError(
            {
                field: _(
                    "A general question must not carry personal data: remove the CPR number. "
                    "Tie the request to the case if it is about a person."
                )
            },
            code="cpr_in_general_question",
        )


def _audit(actor: User, action: str, obj: object, request: AdviceRequest) -> None:
    changes = snapshot(obj)  # type: ignore[arg-type]
    if request.case is not None:
        audit_case_change(actor=actor, action=action, obj=obj, case=request.case, changes=changes)  # type: ignore[arg-type]
    else:
        audit_record(actor=actor, action=action, obj=obj, changes=changes)  # type: ignore[arg-type]


def _require_adviser(actor: User) -> None:
    require(actor, Capability.GIVE_ADVICE)
    if not gives_advice(actor):
        raise PermissionDenied(_("Only the national contact point's advisers do this."))


def _require_unit_side(actor: User, request: AdviceRequest) -> None:
    require(actor, Capability.ASK_ADVICE)
    if not on_unit_side(actor, request):
        raise PermissionDenied(_("Only the asking unit does this."))


def default_access_until(now: datetime) -> datetime:
    """The end of the advisers' access to a new request's case (``VEJUD_ADVICE_ACCESS_DAYS``)."""
    return now + timedelta(days=settings.VEJUD_ADVICE_ACCESS_DAYS)


@audited_service
def advice_request_create(
    *,
    actor: User,
    unit: Unit,
    topic: str,
    question: str,
    urgency: str = Urgency.NORMAL,
    urgency_reason: str = "",
    case: Case | None = None,
    attach_instruments: bool = False,
    attach_plan: bool = False,
    attach_followup: bool = False,
    journal_entries: Iterable[JournalEntry] = (),
    access_days: int | None = None,
    now: datetime | None = None,
) -> AdviceRequest:
    """Ask the national contact point on behalf of ``unit``, optionally about ``case`` with the
    chosen parts of it attached (the advisers see those only, for the access period)."""
    require(actor, Capability.ASK_ADVICE)
    if unit.pk not in asker_unit_ids(actor):
        raise PermissionDenied(_("You ask only on behalf of your own unit."))
    question = required_text(question, _("Write the question."), code="question_required")
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose a topic.")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose the urgency.")})
    urgency_reason = urgency_reason.strip()
    if urgency == Urgency.URGENT and not urgency_reason:
        raise ValidationError({"urgency_reason": _("Say why the request is urgent.")})
    entries = list(journal_entries)
    moment = now or timezone.now()
    days = settings.VEJUD_ADVICE_ACCESS_DAYS if access_days is None else access_days
    if case is None:
        _no_cpr(question, "question")
        _no_cpr(urgency_reason, "urgency_reason")
        if attach_instruments or attach_plan or attach_followup or entries:
            raise ValidationError(_("Only a request about a case can attach parts of it."))
        access_until = None
    else:
        if not may_ask_about(actor, case):
            raise PermissionDenied(_("You may ask only about a case you work on."))
        if any(entry.case_id != case.pk for entry in entries):
            raise ValidationError({"journal_entries": _("Pick journal notes of this case only.")})
        if not 1 <= days <= settings.VEJUD_ADVICE_ACCESS_DAYS:
            raise ValidationError(
                {
                    "access_days": _("The access lasts from 1 to %(days)d days.")
                    % {"days": settings.VEJUD_ADVICE_ACCESS_DAYS}
                }
            )
        access_until = moment + timedelta(days=days)
    request = AdviceRequest.objects.create(
        unit=unit,
        requested_by=actor,
        created_at=moment,
        topic=topic,
        urgency=urgency,
        urgency_reason=urgency_reason,
        question=question,
        case=case,
        attach_instruments=attach_instruments,
        attach_plan=attach_plan,
        attach_followup=attach_followup,
        access_until=access_until,
    )
    if entries:
        request.journal_entries.set(entries)
    changes = snapshot(request)
    changes["journal_entries"] = sorted(entry.pk for entry in entries)
    if case is not None:
        audit_case_change(
            actor=actor, action="advice.requested", obj=request, case=case, changes=changes
        )
    else:
        audit_record(actor=actor, action="advice.requested", obj=request, changes=changes)
    return request


@audited_service
def advice_assign(*, actor: User, request: AdviceRequest, adviser: User) -> AdviceRequest:
    """Assign (or reassign) the request to an adviser of the national contact point."""
    _require_adviser(actor)
    if not gives_advice(adviser):
        raise ValidationError({"adviser": _("Choose an adviser of the national contact point.")})
    next_status("assign", request.status)
    status = AdviceStatus.ASSIGNED if request.status == AdviceStatus.NEW else request.status
    save_fields(request, assigned_to=adviser, status=status)
    _audit(actor, "advice.assigned", request, request)
    return request


def _first_response(request: AdviceRequest, moment: datetime) -> dict[str, datetime]:
    return {"first_response_at": moment} if request.first_response_at is None else {}


@audited_service
def advice_message_add(
    *, actor: User, request: AdviceRequest, text: str, now: datetime | None = None
) -> AdviceMessage:
    """Add a message to the thread: the unit's follow-up (back to the advisers) or an adviser's
    question to the unit (waiting for the unit)."""
    text = required_text(text, _("Write the message."), code="message_required")
    moment = now or timezone.now()
    if on_unit_side(actor, request):
        next_status("unit_writes", request.status)
        if request.case_id is None:
            _no_cpr(text, "text")
        status: str = AdviceStatus.ASSIGNED if request.assigned_to_id else AdviceStatus.NEW
        message = AdviceMessage.objects.create(
            request=request, author=actor, at=moment, from_unit=True, text=text
        )
        save_fields(request, status=status)
    else:
        _require_adviser(actor)
        status = next_status("ask_unit", request.status)
        message = AdviceMessage.objects.create(request=request, author=actor, at=moment, text=text)
        save_fields(request, status=status, **_first_response(request, moment))
    _audit(actor, "advice.message", message, request)
    return message


@audited_service
def advice_answer(
    *,
    actor: User,
    request: AdviceRequest,
    text: str,
    motivation: str = "",
    suitability: str = "",
    reasons: str = "",
    now: datetime | None = None,
) -> AdviceMessage:
    """Answer the request, optionally with a recommendation on motivation and suitability (with
    reasons); the answer is filed on the case and in the unit's list."""
    _require_adviser(actor)
    text = required_text(text, _("Write the answer."), code="answer_required")
    status = next_status("answer", request.status)
    for name, value in (("motivation", motivation), ("suitability", suitability)):
        if value and value not in Judgement.values:
            raise ValidationError({name: _("Choose a judgement from the list.")})
    reasons = reasons.strip()
    if (motivation or suitability) and not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the recommendation.")})
    if reasons and not (motivation or suitability):
        raise ValidationError({"reasons": _("Reasons go with a recommendation.")})
    moment = now or timezone.now()
    message = AdviceMessage.objects.create(
        request=request,
        author=actor,
        at=moment,
        is_answer=True,
        text=text,
        motivation=motivation,
        suitability=suitability,
        reasons=reasons,
    )
    answered = {"answered_at": moment} if request.answered_at is None else {}
    save_fields(request, status=status, **answered, **_first_response(request, moment))
    _audit(actor, "advice.answered", message, request)
    return message


@audited_service
def advice_note_add(
    *, actor: User, request: AdviceRequest, text: str, now: datetime | None = None
) -> AdviceNote:
    """Add a note between advisers (never shown to the unit)."""
    _require_adviser(actor)
    text = required_text(text, _("Write the note."), code="note_required")
    next_status("note", request.status)
    note = AdviceNote.objects.create(
        request=request, author=actor, at=now or timezone.now(), text=text
    )
    _audit(actor, "advice.note", note, request)
    return note


@audited_service
def advice_access_set(
    *, actor: User, request: AdviceRequest, until: datetime | None, now: datetime | None = None
) -> AdviceRequest:
    """The unit sets when the advisers' access to the case ends: earlier (shorten), now (``until``
    None or past: end it), or later, which is the unit's consent to an extension (at most
    ``VEJUD_ADVICE_ACCESS_DAYS`` from now)."""
    _require_unit_side(actor, request)
    if request.case_id is None:
        raise ValidationError(_("A general question shares no case."))
    next_status("change_access", request.status)
    moment = now or timezone.now()
    latest = default_access_until(moment)
    end = moment if until is None or until < moment else until
    if end > latest:
        raise ValidationError(
            {
                "until": _("The access can be given until %(date)s at the latest.")
                % {"date": date_format(timezone.localtime(latest), "SHORT_DATETIME_FORMAT")}
            }
        )
    save_fields(request, access_until=end)
    _audit(actor, "advice.access_changed", request, request)
    return request


def advice_access_days_set(*, actor: User, request: AdviceRequest, days: int) -> AdviceRequest:
    """``advice_access_set`` to ``days`` days from now (0: end the access now), as the page's
    and the API's access forms give it."""
    until = timezone.now() + timedelta(days=days) if days else None
    return advice_access_set(actor=actor, request=request, until=until)


@audited_service
def advice_close(
    *, actor: User, request: AdviceRequest, now: datetime | None = None
) -> AdviceRequest:
    """Close the request (the unit or an adviser): the advisers' access to the case ends."""
    if not gives_advice(actor):
        _require_unit_side(actor, request)
    status = next_status("close", request.status)
    save_fields(request, status=status, closed_at=now or timezone.now())
    _audit(actor, "advice.closed", request, request)
    return request
