"""Everything the system holds on one person, for a subject-access export (GDPR art. 15).

The records are found by walking the relations from the person: the person's cases, every
record that points at a case, and the records that point at those (a grant application's
attachments and payments, a mentor's meetings), so a table added later is in the export
without anyone remembering to add it. What is left out is named here with its reason:

- the protected address, its custodians and reports: never in an export (it is given to
  the person by its custodian in person);
- the person's exclusion and restriction lists and break-the-glass grants: the staff's own
  security measures (who looked is in the access log, which is in the export);
- a "possible existing person" match: it concerns whether two records are one person, and
  may name someone else;
- the exports themselves;
- the national contact point's internal notes on an advice request (deliberation between
  advisers, never shown outside it; the question, the thread and the answer are in).

Free text that may name others or endanger the person (threat notes, journal notes, risk
events) is listed as a candidate for withholding; the coordinator decides each and the
reason is recorded on the export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from vejud.accounts.models import User
from vejud.audit.models import AccessLog
from vejud.cases.models import Case
from vejud.people.models import Person

EXCLUDED_MODELS = frozenset(
    {
        "people.protectedaddress",
        "people.addresscustodian",
        "people.protectedaddressreport",
        "people.personaccessrule",
        "cases.breakglassgrant",
        "intake.possibleexistingperson",
        "privacy.subjectaccessexport",
        "privacy.retentionhold",
        "privacy.anonymisation",
        "advice.advicenote",
    }
)
# Rows whose free text may name others or endanger the person.
CANDIDATE_MODELS = frozenset({"cases.journalentry", "followup.riskevent"})
# Single fields of the same kind.
CANDIDATE_FIELDS = frozenset({("people.person", "threat_notes")})
# Fields that are the system's own bookkeeping, not data about the person.
SKIPPED_FIELDS = frozenset({"cpr_hash", "name_search", "public_id"})
DEPTH = 4


@dataclass
class Row:
    """One record: its key (``app.model:pk``), and its fields as (name, label, value)."""

    key: str
    pk: Any
    fields: list[tuple[str, str, Any]]


@dataclass
class Section:
    """The records of one table."""

    kind: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A part that may be withheld: a row, or one field of a row."""

    key: str
    label: str
    text: str


@dataclass
class Report:
    """Everything held on one person, less what is withheld."""

    person: Row
    sections: list[Section]
    access_log: list[dict[str, Any]]
    withheld: list[dict[str, str]]


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    if f.is_relation:
        related = getattr(obj, f.name)
        if related is None:
            return None
        if isinstance(related, User):
            return related.full_name
        return str(related)
    if f.choices:
        display = getattr(obj, f"get_{f.name}_display")()
        return str(display)
    return getattr(obj, f.attname)


def _row(obj: models.Model) -> Row:
    fields = [
        (f.name, str(f.verbose_name), _value(obj, f))
        for f in obj._meta.concrete_fields
        if not f.primary_key
        and f.editable
        and f.name not in SKIPPED_FIELDS
        and not isinstance(f, models.BinaryField)
    ]
    return Row(key=f"{obj._meta.label_lower}:{obj.pk}", pk=obj.pk, fields=fields)


def _reverse_relations(model: type[models.Model]) -> Iterable[models.ForeignObjectRel]:
    for rel in model._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ForeignObjectRel) and rel.related_model is not None:
            yield rel


def related_records(
    person: Person, *, excluded: frozenset[str] = EXCLUDED_MODELS
) -> Iterator[tuple[str, models.Model]]:
    """Yield ``(app.model, record)`` for every record reachable from the person, each once:
    what points at the person, what points at those, and so on ``DEPTH`` steps."""
    seen = {("people.person", person.pk)}
    level: dict[type[models.Model], list[Any]] = {Person: [person.pk]}
    for _depth in range(DEPTH):
        found: dict[type[models.Model], list[Any]] = defaultdict(list)
        for model, pks in level.items():
            for rel in _reverse_relations(model):
                related: type[models.Model] = rel.related_model
                kind = related._meta.label_lower
                if kind in excluded:
                    continue
                forward = [f.name for f in related._meta.concrete_fields if f.is_relation]
                rows = (
                    related._default_manager.filter(**{f"{rel.field.name}__in": pks})
                    .select_related(*forward)
                    .order_by("pk")
                )
                for obj in rows:
                    if (kind, obj.pk) not in seen:
                        seen.add((kind, obj.pk))
                        found[related].append(obj.pk)
                        yield kind, obj
        level = found


def _walk(person: Person) -> list[Section]:
    """Return the sections of every record reachable from the person, each record once."""
    sections: dict[str, Section] = {}
    for kind, obj in related_records(person):
        section = sections.setdefault(
            kind, Section(kind=kind, title=str(obj._meta.verbose_name_plural))
        )
        section.rows.append(_row(obj))
    return list(sections.values())


def _access_log(person: Person) -> list[dict[str, Any]]:
    cases = Case.objects.filter(person_id=person.pk).values("pk")
    entries = (
        AccessLog.objects.filter(Q(person_id=person.pk) | Q(case_id__in=cases))
        .select_related("user")
        .order_by("at", "pk")
    )
    return [
        {
            "at": entry.at,
            "user": entry.user.full_name,
            "part": entry.part,
            "channel": entry.channel,
            "break_glass": entry.break_glass,
        }
        for entry in entries
    ]


def _candidates(person_row: Row, sections: list[Section]) -> list[Candidate]:
    found = [
        Candidate(key=f"{person_row.key}:{name}", label=label, text=str(value))
        for name, label, value in person_row.fields
        if ("people.person", name) in CANDIDATE_FIELDS and value
    ]
    for section in sections:
        if section.kind not in CANDIDATE_MODELS:
            continue
        for row in section.rows:
            text = " ".join(
                str(value) for _n, _l, value in row.fields if isinstance(value, str) and value
            )
            found.append(Candidate(key=row.key, label=f"{section.title} {row.pk}", text=text))
    return found


def withholding_candidates(person: Person) -> list[Candidate]:
    """Return the parts a coordinator decides to give or withhold, in a stable order."""
    return _candidates(_row(person), _walk(person))


def subject_access_report(person: Person, withheld: Mapping[str, str]) -> Report:
    """Return everything held on ``person``, less the parts in ``withheld`` (key -> reason)."""
    person_row = _row(person)
    sections = _walk(person)
    labels = {c.key: c.label for c in _candidates(person_row, sections)}
    person_row.fields = [
        (name, label, value)
        for name, label, value in person_row.fields
        if f"{person_row.key}:{name}" not in withheld
    ]
    for section in sections:
        section.rows = [row for row in section.rows if row.key not in withheld]
    return Report(
        person=person_row,
        sections=[section for section in sections if section.rows],
        access_log=_access_log(person),
        withheld=[
            {"item": key, "label": labels.get(key, key), "reason": reason}
            for key, reason in withheld.items()
        ],
    )


def report_json(report: Report, *, produced: Mapping[str, Any]) -> dict[str, Any]:
    """Return the machine-readable form: field names as keys, labels beside them."""

    def fields(row: Row) -> dict[str, Any]:
        return {name: value for name, _label, value in row.fields}

    return {
        "format": "vejud-subject-access/1",
        "produced": dict(produced),
        "person": fields(report.person),
        "sections": [
            {
                "kind": section.kind,
                "title": section.title,
                "labels": {name: label for name, label, _v in section.rows[0].fields},
                "rows": [{"id": row.pk, "fields": fields(row)} for row in section.rows],
            }
            for section in report.sections
        ],
        "access_log": report.access_log,
        "withheld": report.withheld,
        "note": _(
            "Parts kept back are listed under 'withheld' with the reason. A protected "
            "address is never part of an export."
        ),
    }
