"""Writes to person data: each atomic, permission-checked and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumValidationError

from vejud.access.cases import case_access
from vejud.access.casework import Actor, require_actor
from vejud.access.people import manages_person, may_edit_person
from vejud.access.rules import Capability, Part, require
from vejud.accounts.models import User
from vejud.audit.services import (
    audit_case_change,
    audit_person_change,
    audit_record,
    audited_service,
    diff,
    snapshot,
)
from vejud.core.crypto import keyed_hash, keyed_hashes
from vejud.core.errors import ConflictError
from vejud.core.limits import check_date, required_text
from vejud.people.models import (
    AccessRuleKind,
    AddressCustodian,
    AddressProtectionStatus,
    Attachment,
    GangGroup,
    Person,
    PersonAccessRule,
    ProtectedAddress,
    ProtectedAddressReport,
)


class DuplicatePersonError(ConflictError):
    """A person with this CPR number is already registered (perhaps a moment ago): 409."""

    def __init__(self, existing: Person) -> None:
        super().__init__(
            _("A person with this CPR number is already registered."), code="duplicate"
        )
        self.existing = existing


def cpr_normalise(raw: str) -> str:
    """Return the 10-digit CPR number, or raise ValidationError with a clear message."""
    try:
        return str(stdnum_cpr.validate(raw))
    except StdnumValidationError as exc:
        raise ValidationError(
            _("Enter a valid CPR number (ddmmyy-ssss)."), code="invalid_cpr"
        ) from exc


def cpr_hash(cpr: str) -> str:
    """Return the keyed hash used to find a person by exact CPR number."""
    return keyed_hash(cpr_normalise(cpr), purpose="cpr")


def person_find_by_cpr(cpr: str) -> Person | None:
    """Return the person with this CPR number, if registered (no permission check: callers gate)."""
    # Under every configured key: a person hashed before a key rotation is still found.
    hashes = keyed_hashes(cpr_normalise(cpr), purpose="cpr")
    return Person.objects.filter(cpr_hash__in=hashes).order_by("pk").first()


def person_row_lock(person_id: int) -> None:
    """Lock the person's row until the transaction ends (``SELECT ... FOR UPDATE``).

    Services that must see a person's cases as they are (at most one open case) lock it
    first; concurrent requests for one person then run one after the other.
    """
    list(Person.objects.select_for_update().filter(pk=person_id).values_list("pk"))


def persons_with_same_name_and_birth_date(
    *, first_name: str, last_name: str, birth_date: date
) -> list[Person]:
    """Return possible duplicates by normalised name and date of birth."""
    return list(
        Person.objects.filter(
            birth_date=birth_date, name_search=Person.normalise_name(first_name, last_name)
        )
    )


@audited_service
def person_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    cpr: str = "",
    phone: str = "",
    gang_group: GangGroup | None = None,
    gang_role: str = "",
    gang_since: date | None = None,
    attachment: str = "",
    threat_notes: str = "",
    cpr_unconfirmed: bool = False,
) -> Person:
    """Register an exit candidate; a CPR number already registered raises DuplicatePersonError.

    ``cpr_unconfirmed`` keeps a CPR number that matches a person outside the registering
    user's reach without its lookup hash: the two stay apart until the existing person's
    unit links them (vejud.access.persons).
    """
    require(actor, Capability.WRITE_JOURNAL)
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValidationError(_("First and last name are required."), code="name_required")
    normalised = cpr_normalise(cpr) if cpr.strip() else ""
    if normalised:
        cpr_birth = stdnum_cpr.get_birth_date(normalised)
        if birth_date is not None and birth_date != cpr_birth:
            raise ValidationError(
                _("The date of birth does not match the CPR number."), code="birth_date_mismatch"
            )
        birth_date = cpr_birth
        existing = None if cpr_unconfirmed else person_find_by_cpr(normalised)
        if existing is not None:
            raise DuplicatePersonError(existing)
    if birth_date is None:
        raise ValidationError(_("Date of birth or CPR number is required."), code="birth_date")
    check_date(birth_date, code="birth_date")
    if birth_date > timezone.localdate():
        raise ValidationError(_("The date of birth is in the future."), code="birth_date_future")
    if attachment and attachment not in Attachment.values:
        raise ValidationError(_("Unknown degree of attachment."), code="attachment")
    person = Person(
        first_name=first_name,
        last_name=last_name,
        cpr=normalised,
        cpr_hash=keyed_hash(normalised, purpose="cpr")
        if normalised and not cpr_unconfirmed
        else None,
        birth_date=birth_date,
        phone=phone.strip(),
        gang_group=gang_group,
        gang_role=gang_role.strip(),
        gang_since=gang_since,
        attachment=attachment,
        threat_notes=threat_notes.strip(),
        name_search=Person.normalise_name(first_name, last_name),
    )
    person.full_clean(exclude=["cpr_hash", "name_search", "cpr"])
    try:
        # A savepoint: when a concurrent registration of the same CPR number wins, the
        # transaction stays usable to find the person it registered.
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        existing = person_find_by_cpr(normalised) if normalised else None
        if existing is not None:
            raise DuplicatePersonError(existing) from exc
        raise
    audit_person_change(actor=actor, action="person.create", obj=person, person=person)
    return person


PERSON_EDITABLE = (
    "first_name",
    "last_name",
    "phone",
    "gang_group",
    "gang_role",
    "gang_since",
    "attachment",
    "threat_notes",
)


@audited_service
def person_update(*, actor: User, person: Person, reason: str = "", **changes: Any) -> Person:
    """Change a person's editable fields; the audit record holds before and after. Only a
    caseworker who works on one of the person's cases may (``may_edit_person``)."""
    require(actor, Capability.WRITE_JOURNAL)
    if not may_edit_person(actor, person):
        raise PermissionDenied
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown))
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    for name, value in changes.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    person.name_search = Person.normalise_name(person.first_name, person.last_name)
    person.updated_at = timezone.now()
    person.full_clean(exclude=["cpr_hash", "name_search", "cpr"])
    person.save()
    audit_record(
        actor=actor,
        action="person.update",
        obj=person,
        changes=diff(before, snapshot(person)),
        reason=reason,
        person_id=person.pk,
    )
    return person


@audited_service
def protected_address_set(
    *,
    actor: User,
    person: Person,
    case: Any,
    address: str,
    cpr_protection: str = AddressProtectionStatus.NONE,
    requested_on: date | None = None,
    confirmed_on: date | None = None,
    lifted_on: date | None = None,
    reason: str,
) -> ProtectedAddress | None:
    """Record or change a person's protected address; the actor becomes a custodian.

    Returns None when the actor is not a custodian and an address exists: theirs is then
    reported to the custodians (``_protected_address_report``) and nothing else changes.
    """
    access = case_access(actor, case)
    if access is None or case.person_id != person.pk or not access.can_see(Part.PROTECTED_ADDRESS):
        raise PermissionDenied
    require_actor(actor, case, Actor.CASEWORKER)  # not by breaking the glass
    address = required_text(address, _("The address cannot be empty."), code="address_required")
    # Only checked: the audit record keeps the reason as given.
    required_text(reason, _("Give a reason."), code="reason_required")
    if cpr_protection not in AddressProtectionStatus.values:
        raise ValidationError(_("Unknown protection status."), code="protection")
    record, created = ProtectedAddress.objects.select_for_update().get_or_create(
        person=person, defaults={"address": address}
    )
    if not created and not user_is_address_custodian(user=actor, person_id=person.pk):
        # Only a named custodian may change an existing address (and so become able to read
        # it). A non-custodian's address goes to the custodians as a report, and the caller
        # answers exactly as for a new address: they must not learn that one exists.
        _protected_address_report(
            actor=actor,
            record=record,
            case=case,
            address=address,
            cpr_protection=cpr_protection,
            reason=reason,
        )
        return None
    before = {} if created else snapshot(record)
    record.address = address
    record.cpr_protection = cpr_protection
    record.protection_requested_on = requested_on
    record.protection_confirmed_on = confirmed_on
    record.protection_lifted_on = lifted_on
    record.updated_at = timezone.now()
    record.full_clean()
    record.save()
    AddressCustodian.objects.get_or_create(address=record, user=actor, defaults={"case": case})
    audit_case_change(
        actor=actor,
        action="protected_address.create" if created else "protected_address.update",
        obj=record,
        changes=diff(before, snapshot(record)),
        reason=reason,
        case=case,  # the person's case: checked above
    )
    return record


def _protected_address_report(
    *,
    actor: User,
    record: ProtectedAddress,
    case: Any,
    address: str,
    cpr_protection: str,
    reason: str,
) -> ProtectedAddressReport:
    """Hand a non-custodian's address (stripped by ``protected_address_set``) for a person who
    has one to the custodians (audited)."""
    report = ProtectedAddressReport.objects.create(
        address=record,
        case=case,
        reported_by=actor,
        reported_address=address,
        cpr_protection=cpr_protection,
    )
    audit_case_change(
        actor=actor,
        action="protected_address.report",
        obj=report,
        changes={"cpr_protection": cpr_protection},
        reason=reason,
        case=case,
    )
    return report


@audited_service
def address_custodian_add(*, actor: User, case: Any, user: User, reason: str) -> AddressCustodian:
    """Name ``user`` as a custodian of the case person's protected address."""
    if not user_is_address_custodian(user=actor, person_id=case.person_id):
        raise PermissionDenied
    require_actor(actor, case, Actor.CASEWORKER)  # not by breaking the glass
    user_access = case_access(user, case)
    if user_access is None or not user_access.can_see(Part.PROTECTED_ADDRESS):
        raise ValidationError(_("The user cannot see this case."), code="custodian_scope")
    address = ProtectedAddress.objects.get(person_id=case.person_id)
    custodian, _created = AddressCustodian.objects.get_or_create(
        address=address, user=user, defaults={"case": case}
    )
    audit_case_change(
        actor=actor,
        action="protected_address.custodian_add",
        obj=custodian,
        changes={"user_id": user.pk},
        reason=reason,
        case=case,
    )
    return custodian


def user_is_address_custodian(*, user: User, person_id: int) -> bool:
    """Return True if ``user`` is named as custodian of the person's protected address."""
    return AddressCustodian.objects.filter(address__person_id=person_id, user_id=user.pk).exists()


@audited_service
def person_access_rule_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    user: User,
    valid_from: date | None = None,
    valid_to: date | None = None,
    message: str = "",
) -> PersonAccessRule:
    """Add a user to a person's exclusion or restriction list."""
    require(actor, Capability.MANAGE_PERSON_ACCESS)
    if not manages_person(actor, person):
        raise PermissionDenied
    if kind not in AccessRuleKind.values:
        raise ValidationError(_("Unknown kind of access rule."), code="kind")
    rule = PersonAccessRule(
        person=person,
        kind=kind,
        user=user,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
        message=message.strip(),
    )
    rule.full_clean()
    rule.save()
    audit_person_change(actor=actor, action="person.access_rule_add", obj=rule, person=person)
    return rule
