"""Intake writes: register an inquiry (routing it to the right unit), record and withdraw consent."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.casework import Actor, require_actor
from vejud.access.persons import deciding_unit_condition, person_deciding_unit, person_in_reach
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.audit.services import audit_case_change, audit_record, audited_service
from vejud.cases.models import Case, Track
from vejud.cases.services import OpenCaseError, case_create, open_case_refuse
from vejud.core.limits import check_date, check_period
from vejud.core.records import save_fields, stamp
from vejud.intake.models import (
    Consent,
    ConsentAgency,
    ConsentMethod,
    ConsentTopic,
    Inquiry,
    InquiryChannel,
    InquirySource,
    MatchBasis,
    MatchStatus,
    PossibleExistingPerson,
)
from vejud.organisations.models import Municipality, Unit, UnitKind
from vejud.people.models import Person
from vejud.people.services import (
    DuplicatePersonError,
    cpr_normalise,
    person_create,
    person_find_by_cpr,
    persons_with_same_name_and_birth_date,
)


class PossibleDuplicateError(ValidationError):
    """A person with the same name and date of birth exists; the user must confirm."""

    def __init__(self, candidates: list[Person]) -> None:
        super().__init__(
            _("A person with the same name and date of birth is already registered."),
            code="possible_duplicate",
        )
        self.candidates = candidates


def inquiry_route(
    *, municipality: Municipality | None, in_custody: bool, institution: Unit | None
) -> tuple[Unit, str, Unit | None]:
    """Return (responsible unit, track, institution) for an inquiry.

    At liberty: the local exit unit of the municipality's police district.
    In custody: the Prison and Probation Service with the institution.
    """
    if in_custody:
        if institution is None or institution.kind != UnitKind.INSTITUTION:
            raise ValidationError(
                _("Choose the institution where the person is held."), code="institution"
            )
        dfk = (
            institution.parent
            if institution.parent and institution.parent.kind == UnitKind.DFK
            else None
        )
        dfk = dfk or Unit.objects.filter(kind=UnitKind.DFK, is_active=True).first()
        if dfk is None:
            raise ValidationError(_("No Prison and Probation unit is registered."), code="no_dfk")
        return dfk, Track.CUSTODY, institution
    if municipality is None:
        raise ValidationError(_("Choose the person's municipality."), code="municipality")
    unit = Unit.objects.filter(
        police_district_id=municipality.police_district_id, kind=UnitKind.LOCAL
    ).first()
    if unit is None:
        raise ValidationError(
            _("No local exit unit is registered for %(district)s.")
            % {"district": municipality.police_district},
            code="no_unit",
        )
    return unit, Track.LIBERTY, None


@audited_service
def inquiry_register(
    *,
    actor: User,
    source: str,
    channel: str,
    received_on: date,
    municipality: Municipality | None = None,
    in_custody: bool = False,
    institution: Unit | None = None,
    note: str = "",
    person: Person | None = None,
    first_name: str = "",
    last_name: str = "",
    birth_date: date | None = None,
    cpr: str = "",
    phone: str = "",
    confirm_new_person: bool = False,
) -> Case:
    """Register an inquiry: find or register the person, open a case routed to the right unit.

    A CPR number already registered reuses that person (a new attempt linked to the
    earlier case), and a name and date of birth already registered raises
    PossibleDuplicateError unless ``confirm_new_person`` is given, but only for persons
    within the user's reach. A match outside it reveals nothing (issue 11, holes 3 and 5):
    the case opens with the details given, exactly as for a new person, and the match goes
    to the existing person's unit as a PossibleExistingPerson to link or reject.
    """
    require(actor, Capability.WRITE_JOURNAL)
    if source not in InquirySource.values:
        raise ValidationError(_("Unknown source."), code="source")
    if channel not in InquiryChannel.values:
        raise ValidationError(_("Unknown channel."), code="channel")
    check_date(received_on, code="received_on")
    if received_on > timezone.localdate():
        raise ValidationError(
            _("The inquiry cannot be received in the future."), code="received_on"
        )
    unit, track, institution = inquiry_route(
        municipality=municipality, in_custody=in_custody, institution=institution
    )
    hidden: list[tuple[Person, str]] = []  # matches outside the actor's reach
    if person is None and cpr.strip():
        found = person_find_by_cpr(cpr_normalise(cpr))
        if found is not None and person_in_reach(actor, found):
            person = found
        elif found is not None:
            hidden.append((found, MatchBasis.CPR))
    if person is None:
        if birth_date is not None and not cpr.strip():
            matches = persons_with_same_name_and_birth_date(
                first_name=first_name, last_name=last_name, birth_date=birth_date
            )
            reachable = [match for match in matches if person_in_reach(actor, match)]
            if reachable and not confirm_new_person:
                raise PossibleDuplicateError(reachable)
            hidden += [(match, MatchBasis.NAME) for match in matches if match not in reachable]
        try:
            person = person_create(
                actor=actor,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth_date,
                cpr=cpr,
                phone=phone,
                cpr_unconfirmed=bool(hidden) and hidden[0][1] == MatchBasis.CPR,
            )
        except DuplicatePersonError as exc:
            # A concurrent inquiry registered the same CPR number a moment ago: continue
            # with that person (whose new case the check below then finds).
            person = exc.existing
    # Lock the person and refuse a second open case (OpenCaseError: 409; the message names
    # no case). Only a person within reach gets here with cases: an out-of-reach match
    # became a new person above, so this answer never reveals another unit's case.
    open_case_refuse(person)
    previous = person.cases.order_by("-opened_on", "-id").first()
    case = case_create(
        actor=actor,
        person=person,
        unit=unit,
        track=track,
        institution=institution,
        opened_on=received_on,
        previous_case=previous,
    )
    inquiry = Inquiry.objects.create(
        case=case,
        source=source,
        channel=channel,
        received_on=received_on,
        municipality=municipality,
        in_custody=in_custody,
        note=note.strip(),
        registered_by=actor,
    )
    audit_case_change(actor=actor, action="inquiry.register", obj=inquiry, case=case)
    for existing, basis in hidden:
        _possible_person_queue(actor=actor, inquiry=inquiry, existing=existing, basis=basis)
    return case


def _possible_person_queue(
    *, actor: User, inquiry: Inquiry, existing: Person, basis: str
) -> PossibleExistingPerson | None:
    """Hand a match outside the actor's reach to the existing person's unit (audited)."""
    unit = person_deciding_unit(existing)
    if unit is None:  # no national contact point registered: nobody could decide
        return None
    match = PossibleExistingPerson.objects.create(
        inquiry=inquiry, existing_person=existing, unit=unit, matched_on=basis
    )
    audit_record(
        actor=actor,
        action="inquiry.possible_existing_person",
        obj=match,
        changes={"matched_on": basis, "unit_id": unit.pk},
        person_id=existing.pk,
        case_id=inquiry.case_id,
    )
    return match


def _decidable(actor: User, match: PossibleExistingPerson) -> None:
    """403 without the capability; 404 for a match that is not the actor's unit's to decide."""
    require(actor, Capability.LINK_INQUIRIES)
    if not PossibleExistingPerson.objects.filter(
        deciding_unit_condition(actor), pk=match.pk
    ).exists():
        raise Http404
    if match.status != MatchStatus.PENDING:
        raise ValidationError(_("This match has already been decided."), code="decided")


@audited_service
def possible_existing_person_link(
    *, actor: User, match: PossibleExistingPerson
) -> PossibleExistingPerson:
    """Link the inquiry's case to the existing person (the deciding unit's coordinator).

    The case moves to the existing person and follows their latest earlier case; the
    person registered with the inquiry keeps no case.
    """
    _decidable(actor, match)
    case = Case.objects.select_for_update().get(pk=match.inquiry.case_id)
    registered = case.person_id
    existing = match.existing_person
    if case.is_open:
        try:  # one open case per person: the existing person's must end first
            open_case_refuse(existing)
        except OpenCaseError:
            raise ValidationError(
                _("The existing person has an open case. End one of the two cases, then link."),
                code="open_case_exists",
            ) from None
    save_fields(
        case,
        person=existing,
        previous_case=existing.cases.exclude(pk=case.pk).order_by("-opened_on", "-id").first(),
    )
    stamp(match, "decided", actor, status=MatchStatus.LINKED)
    PossibleExistingPerson.objects.filter(inquiry=match.inquiry, status=MatchStatus.PENDING).update(
        status=MatchStatus.REJECTED, decided_by=actor, decided_at=match.decided_at
    )
    audit_case_change(
        actor=actor,
        action="inquiry.possible_existing_person.link",
        obj=match,
        changes={"case_person": [registered, existing.pk]},
        case=case,
    )
    return match


@audited_service
def possible_existing_person_reject(
    *, actor: User, match: PossibleExistingPerson
) -> PossibleExistingPerson:
    """Record that the inquiry's person is not the existing one (the case stays as it is)."""
    _decidable(actor, match)
    stamp(match, "decided", actor, status=MatchStatus.REJECTED)
    audit_record(
        actor=actor,
        action="inquiry.possible_existing_person.reject",
        obj=match,
        changes={"status": MatchStatus.REJECTED},
        person_id=match.existing_person_id,
        case_id=match.inquiry.case_id,
    )
    return match


def _require_caseworker(actor: User, case: Case) -> None:
    require(actor, Capability.WRITE_JOURNAL)
    require_actor(actor, case, Actor.CASEWORKER)  # not the mentor, not by breaking the glass


@audited_service
def consent_record(
    *,
    actor: User,
    case: Case,
    given_on: date,
    method: str,
    agencies: list[str],
    topics: list[str],
    valid_until: date | None = None,
) -> Consent:
    """Record the person's consent to share information between the named agencies."""
    _require_caseworker(actor, case)
    if method not in ConsentMethod.values:
        raise ValidationError(_("Say how the consent was given."), code="method")
    agencies = sorted(set(agencies))
    topics = sorted(set(topics))
    if not agencies or any(a not in ConsentAgency.values for a in agencies):
        raise ValidationError(_("Choose the agencies that may share information."), code="agencies")
    if not topics or any(t not in ConsentTopic.values for t in topics):
        raise ValidationError(_("Choose what information may be shared."), code="topics")
    if given_on > timezone.localdate():
        raise ValidationError(_("The consent cannot be given in the future."), code="given_on")
    check_period(
        given_on, valid_until, _("The consent cannot end before it is given."), code="valid_until"
    )
    consent = Consent.objects.create(
        case=case,
        given_on=given_on,
        method=method,
        agencies=agencies,
        topics=topics,
        valid_until=valid_until,
        recorded_by=actor,
    )
    audit_case_change(actor=actor, action="consent.record", obj=consent, case=case)
    return consent


@audited_service
def consent_withdraw(*, actor: User, consent: Consent, withdrawn_on: date, note: str) -> Consent:
    """Record that the person withdrew the consent."""
    case = consent.case
    _require_caseworker(actor, case)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("The consent is already withdrawn."), code="withdrawn")
    if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
        raise ValidationError(_("The withdrawal date is not possible."), code="withdrawn_on")
    save_fields(
        consent,
        withdrawn_on=withdrawn_on,
        withdrawal_note=note.strip(),
        withdrawal_recorded_by=actor,
    )
    audit_case_change(
        actor=actor,
        action="consent.withdraw",
        obj=consent,
        changes={"withdrawn_on": withdrawn_on},
        reason=consent.withdrawal_note,
        case=case,
    )
    return consent
