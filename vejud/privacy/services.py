"""Writes of the data-protection app: subject-access exports, anonymisation, holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.people import may_export_person, may_hold_person
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.audit.guard import anonymising
from vejud.audit.services import audit_person_change, audited_service
from vejud.core.errors import ConflictError
from vejud.people.models import AddressCustodian, Person, ProtectedAddress, ProtectedAddressReport
from vejud.privacy.collect import related_records, withholding_candidates
from vejud.privacy.models import Anonymisation, RetentionHold, SubjectAccessExport
from vejud.privacy.retention import persons_due, retention_of


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
    audit_person_change(
        actor=actor, action="privacy.subject_access_export", obj=export, person=person
    )
    return export


# Records kept as they are when a person is anonymised, with the reason: the pool's
# bookkeeping (the Bookkeeping Act keeps accounting records and their vouchers for five
# years from the end of the financial year; the application's history and the payments are
# append-only). They point at the anonymised case and name nobody else by themselves.
KEPT_MODELS = frozenset({"pool.applicationevent", "pool.payment", "pool.attachment"})
# Short text fields that are free text about the person (long text fields all are).
SCRUBBED_CHAR_FIELDS = frozenset({("followup.earlywarning", "detail")})
PLACEHOLDER = "[anonymiseret]"


@dataclass
class RetentionRun:
    """What a run of the retention job did (or, dry, would do)."""

    today: date
    dry_run: bool
    persons: list[int] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)


def _scrub(obj: models.Model) -> list[str]:
    """Blank every free-text field of ``obj``; return the names of the fields changed."""
    kind = obj._meta.label_lower
    changed = []
    for f in obj._meta.concrete_fields:
        free_text = isinstance(f, models.TextField) or (kind, f.name) in SCRUBBED_CHAR_FIELDS
        if not free_text or f.choices or not getattr(obj, f.attname):
            continue
        setattr(obj, f.attname, "" if f.blank else PLACEHOLDER)
        changed.append(f.attname)
    return changed


def _scrub_person(person: Person) -> None:
    person.first_name, person.last_name = "Anonymiseret", "person"
    person.name_search = Person.normalise_name(person.first_name, person.last_name)
    person.cpr, person.cpr_hash, person.phone = "", None, ""
    person.gang_role, person.threat_notes = "", ""
    person.birth_date = person.birth_date.replace(month=1, day=1)  # the year stays, for figures
    if person.gang_since is not None:
        person.gang_since = person.gang_since.replace(month=1, day=1)
    person.updated_at = timezone.now()
    person.save()


@audited_service
def person_anonymise(*, person: Person, rule: str) -> Anonymisation:
    """Anonymise everything held on ``person`` (a system job: no user acts).

    Names, CPR number, phone, threats and every free text of every record reachable from the
    person are removed, the date of birth kept to its year; the protected address, its
    custodians and reports are deleted; codes, dates and links stay, so every figure stays
    true. Documents other than the pool's bookkeeping are deleted. The audit record says how
    many records of each kind changed, never what they held.
    """
    counts: Counter[str] = Counter()
    documents: list[models.Model] = []
    with anonymising():  # signed instruments' text too (their signature stays)
        for kind, obj in list(related_records(person)):
            if kind in KEPT_MODELS:
                continue
            if any(isinstance(f, models.BinaryField) for f in obj._meta.concrete_fields):
                documents.append(obj)
                continue
            changed = _scrub(obj)
            if changed:
                obj.save(update_fields=changed)
                counts[kind] += 1
    for document in reversed(documents):
        document.delete()
        counts[document._meta.label_lower] += 1
    for model in (ProtectedAddressReport, AddressCustodian):
        counts[model._meta.label_lower] += model.objects.filter(address__person=person).delete()[0]
    counts["people.protectedaddress"] += ProtectedAddress.objects.filter(person=person).delete()[0]
    _scrub_person(person)
    counts["people.person"] += 1
    anonymisation = Anonymisation.objects.create(
        person=person, rule=rule, records={k: v for k, v in sorted(counts.items()) if v}
    )
    audit_person_change(actor=None, action="privacy.anonymise", obj=anonymisation, person=person)
    return anonymisation


def retention_run(
    *, today: date | None = None, dry_run: bool = False, limit: int | None = None
) -> RetentionRun:
    """Anonymise every person due today (each in its own transaction), or the first
    ``limit`` of them (the rest on the next run); ``dry_run`` only lists them. Safe to run at
    any time and after any pause: it reads the dates."""
    run = RetentionRun(today=today or timezone.localdate(), dry_run=dry_run)
    due = persons_due(run.today)
    for person in (due[:limit] if limit is not None else due).iterator(chunk_size=500):
        run.persons.append(person.pk)
        if dry_run:
            continue
        rule = retention_of(person).rule
        anonymisation = person_anonymise(person=person, rule=rule.key if rule else "")
        for kind, count in anonymisation.records.items():
            run.records[kind] = run.records.get(kind, 0) + count
    return run


@audited_service
def retention_hold_set(*, actor: User, person: Person, kind: str, reason: str) -> RetentionHold:
    """Stop the person's anonymisation (legal hold, archive duty, court case) with a reason."""
    require(actor, Capability.HOLD_RECORDS)
    if not may_hold_person(actor, person):
        raise PermissionDenied
    hold = RetentionHold(person=person, kind=kind, reason=reason.strip(), set_by=actor)
    hold.full_clean()
    hold.save()
    audit_person_change(actor=actor, action="privacy.hold_set", obj=hold, person=person)
    return hold


@audited_service
def retention_hold_lift(*, actor: User, hold: RetentionHold, reason: str) -> RetentionHold:
    """End a hold; the person's date applies again from the next run."""
    require(actor, Capability.HOLD_RECORDS)
    if not may_hold_person(actor, hold.person):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason for lifting the hold."), code="reason")
    locked = RetentionHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise ConflictError(_("The hold was lifted already."))
    locked.lifted_by, locked.lifted_at, locked.lift_reason = actor, timezone.now(), reason.strip()
    locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit_person_change(actor=actor, action="privacy.hold_lift", obj=locked, person=hold.person)
    return locked
