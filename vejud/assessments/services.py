"""Writes to the three instruments: drafts, signing (then immutable), and corrections."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vejud.access.casework import Actor, require_actor
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.assessments.models import (
    CriteriaVersion,
    InstrumentBase,
    MotivationAssessment,
    MotivationFactor,
    MotivationKind,
    Programme,
    SuitabilityAssessment,
    SuitabilityJudgement,
    TargetGroupAssessment,
)
from vejud.audit.services import audit_case_change, audited_service, snapshot
from vejud.cases.models import Case, CaseStatus, Track
from vejud.core.dates import age_on, check_plausible_date
from vejud.core.limits import required_text
from vejud.core.records import stamp
from vejud.offers.models import OfferType
from vejud.people.models import Attachment, GangGroup, Person

InstrumentT = TypeVar("InstrumentT", bound=InstrumentBase)

# Instruments are filled in during assessment; corrections are possible until the final decision.
EDITABLE_STATUSES = frozenset({CaseStatus.ASSESSMENT, CaseStatus.REFUSED, CaseStatus.REFERRED})

INSTRUMENTS: dict[str, type[InstrumentBase]] = {
    "target_group": TargetGroupAssessment,
    "motivation": MotivationAssessment,
    "suitability": SuitabilityAssessment,
}
INSTRUMENT_LABELS: dict[str, Promise] = {
    "target_group": gettext_lazy("Target group"),
    "motivation": gettext_lazy("Motivation"),
    "suitability": gettext_lazy("Suitability"),
}


def _require_assessor(actor: User, case: Case) -> None:
    require(actor, Capability.WRITE_JOURNAL)
    require_actor(actor, case, Actor.CASEWORKER)  # not the mentor, not by breaking the glass
    if case.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("The assessments can only be filled in while the case is being assessed."),
            code="not_in_assessment",
        )


def programme_for_case(case: Case) -> Programme | None:
    """Return the programme whose criteria apply: the unit's own programme, else DfK's in
    custody, else the national framework model."""
    if case.track == Track.CUSTODY:
        return Programme.objects.filter(code="dfk").first()
    own = case.responsible_unit.programmes_run.first()
    if own is not None:
        return own
    code = "national"
    return Programme.objects.filter(code=code).first()


def criteria_in_force(programme: Programme, *, on: date | None = None) -> CriteriaVersion | None:
    """Return the programme's criteria version in force on ``on`` (default today)."""
    day = on or timezone.localdate()
    return (
        programme.criteria_versions.filter(valid_from__lte=day)
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def criteria_evaluate(
    case: Case, version: CriteriaVersion, *, on: date
) -> dict[str, dict[str, Any]]:
    """Return the criteria the system can evaluate from the case (age, attachment, environment)."""
    person = case.person
    result: dict[str, dict[str, Any]] = {}
    age = age_on(person.birth_date, on)
    if version.min_age is not None or version.max_age is not None:
        ok = (version.min_age is None or age >= version.min_age) and (
            version.max_age is None or age <= version.max_age
        )
        result["age"] = {
            "met": ok,
            "note": _("Age %(age)s on %(day)s")
            % {"age": age, "day": date_format(on, "SHORT_DATE_FORMAT")},
            "auto": True,
        }
    if version.attachments:
        ok = person.attachment in version.attachments
        result["attachment"] = {
            "met": ok,
            "note": person.get_attachment_display() or "–",
            "auto": True,
        }
    if version.environments:
        group = person.gang_group
        kind = group.kind if group is not None else ""
        result["environment"] = {
            "met": kind in version.environments,
            "note": f"{group.name} ({group.get_kind_display()})" if group is not None else "–",
            "auto": True,
        }
    return result


def _current_draft(model: type[InstrumentT], case: Case) -> InstrumentT | None:
    return model.objects.select_for_update().filter(case=case, signed_at__isnull=True).first()


def _next_version(model: type[InstrumentBase], case: Case) -> int:
    latest = (
        model.objects.filter(case=case)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


def _save_draft(
    actor: User, case: Case, model: type[InstrumentT], fields: dict[str, Any], action: str
) -> InstrumentT:
    draft = _current_draft(model, case)
    created = draft is None
    if draft is None:
        latest_signed = (
            model.objects.filter(case=case, signed_at__isnull=False).order_by("-version").first()
        )
        if latest_signed is not None:
            raise ValidationError(
                _("This assessment is signed. Make a correction to change it."), code="signed"
            )
        draft = model(case=case, version=_next_version(model, case), created_by=actor)
        before: dict[str, Any] = {}
    else:
        before = snapshot(draft)
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.updated_at = timezone.now()
    draft.full_clean(exclude=["case", "supersedes", "created_by", "signed_by"])
    draft.save()
    after = snapshot(draft)
    audit_case_change(
        actor=actor,
        action=f"{action}.{'create' if created else 'update'}",
        obj=draft,
        changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        case=case,
    )
    return draft


@audited_service
def target_group_save(
    *,
    actor: User,
    case: Case,
    criteria_version: CriteriaVersion,
    answers: dict[str, dict[str, Any]],
    reasoning: str = "",
) -> TargetGroupAssessment:
    """Save the target-group draft against a criteria version (recorded on the assessment)."""
    _require_assessor(actor, case)
    on = case.opened_on
    if not criteria_version.in_force_on(on) and not criteria_version.in_force_on(
        timezone.localdate()
    ):
        raise ValidationError(
            _("This criteria version was not in force when the inquiry was received."),
            code="criteria_version",
        )
    evaluated = criteria_evaluate(case, criteria_version, on=on)
    merged: dict[str, dict[str, Any]] = {}
    known = set(evaluated) | {q["code"] for q in criteria_version.questions}
    for code in known:
        given = answers.get(code)
        base = evaluated.get(code, {"met": None, "note": "", "auto": False})
        if given is not None:
            met = given.get("met")
            if met is not None and not isinstance(met, bool):
                raise ValidationError(_("Answer each criterion yes or no."), code="answer")
            base = {
                "met": met,
                "note": str(given.get("note", ""))[:1000],
                "auto": base.get("auto", False),
            }
        merged[code] = base
    unknown = set(answers) - known
    if unknown:
        raise ValidationError(
            _("Unknown criteria: %s") % ", ".join(sorted(unknown)), code="unknown_criteria"
        )
    within = (
        None
        if any(v["met"] is None for v in merged.values())
        else all(v["met"] for v in merged.values())
    )
    return _save_draft(
        actor,
        case,
        TargetGroupAssessment,
        {
            "criteria_version": criteria_version,
            "answers": merged,
            "within_target_group": within,
            "reasoning": reasoning.strip(),
        },
        "target_group",
    )


def fear_only(push: list[str], pull: list[str], fear_borne: bool) -> bool:
    """Return True if fear is the only thing carrying the motivation."""
    chosen = set(push) | set(pull)
    if not chosen:
        return fear_borne
    fear_codes = set(
        MotivationFactor.objects.filter(code__in=chosen, is_fear=True).values_list(
            "code", flat=True
        )
    )
    return chosen == fear_codes


@audited_service
def motivation_save(
    *,
    actor: User,
    case: Case,
    push_factors: list[str],
    pull_factors: list[str],
    factors_note: str = "",
    own_explanation: str = "",
    help_wishes: list[str] | None = None,
    help_note: str = "",
    fear_borne: bool = False,
    fear_note: str = "",
    motivation_kind: str = "",
    parole_only_motive: bool = False,
    level: int | None = None,
    reasoning: str = "",
) -> MotivationAssessment:
    """Save the motivation draft: (I) factors, (II) explanation, (III) help wished, (IV) fear."""
    _require_assessor(actor, case)
    help_wishes = sorted(set(help_wishes or []))
    push, pull = sorted(set(push_factors)), sorted(set(pull_factors))
    known = dict(
        MotivationFactor.objects.filter(code__in=set(push) | set(pull)).values_list("code", "kind")
    )
    if any(known.get(c) != "push" for c in push) or any(known.get(c) != "pull" for c in pull):
        raise ValidationError(_("Choose push and pull factors from the lists."), code="factors")
    if set(help_wishes) - set(
        OfferType.objects.filter(code__in=help_wishes).values_list("code", flat=True)
    ):
        raise ValidationError(
            _("Choose the help wished for from the offer catalogue."), code="help"
        )
    if motivation_kind and motivation_kind not in MotivationKind.values:
        raise ValidationError(_("Unknown kind of motivation."), code="kind")
    if parole_only_motive and case.track != Track.CUSTODY:
        raise ValidationError(
            _("Parole as the only motive applies to custody cases."), code="parole"
        )
    return _save_draft(
        actor,
        case,
        MotivationAssessment,
        {
            "push_factors": push,
            "pull_factors": pull,
            "factors_note": factors_note.strip(),
            "own_explanation": own_explanation.strip(),
            "help_wishes": help_wishes,
            "help_note": help_note.strip(),
            "fear_borne": fear_borne,
            "fear_note": fear_note.strip(),
            "fear_only": fear_only(push, pull, fear_borne),
            "motivation_kind": motivation_kind,
            "parole_only_motive": parole_only_motive,
            "level": level,
            "reasoning": reasoning.strip(),
        },
        "motivation",
    )


@audited_service
def suitability_save(*, actor: User, case: Case, **fields: Any) -> SuitabilityAssessment:
    """Save the suitability draft: the four criteria with reasoning, and the overall judgement."""
    _require_assessor(actor, case)
    allowed = set()
    for c in SuitabilityAssessment.CRITERIA:
        allowed |= {c, f"{c}_reasoning"}
    allowed |= {"judgement", "reasoning"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="fields")
    clean = {
        k: (
            v.strip()
            if isinstance(v, str) and not k.endswith(("clarity", "taken", "ability"))
            else v
        )
        for k, v in fields.items()
    }
    if clean.get("judgement") and clean["judgement"] not in SuitabilityJudgement.values:
        raise ValidationError(_("Unknown judgement."), code="judgement")
    return _save_draft(actor, case, SuitabilityAssessment, clean, "suitability")


def _missing_for_signing(instrument: InstrumentBase) -> list[str]:
    missing: list[str] = []
    if isinstance(instrument, TargetGroupAssessment):
        if instrument.within_target_group is None:
            missing.append(_("an answer to every criterion"))
        if not instrument.reasoning:
            missing.append(_("reasoning"))
    elif isinstance(instrument, MotivationAssessment):
        if not (instrument.push_factors or instrument.pull_factors):
            missing.append(_("push or pull factors (I)"))
        if not instrument.own_explanation:
            missing.append(_("the person's own explanation (II)"))
        if not instrument.motivation_kind:
            missing.append(_("inner or outer motivation"))
        if instrument.level is None:
            missing.append(_("the overall motivation level"))
        if not instrument.reasoning:
            missing.append(_("reasoning"))
    elif isinstance(instrument, SuitabilityAssessment):
        for c in SuitabilityAssessment.CRITERIA:
            if getattr(instrument, c) is None or not getattr(instrument, f"{c}_reasoning"):
                missing.append(
                    str(getattr(SuitabilityAssessment._meta.get_field(c), "verbose_name", c))
                )
        if not instrument.judgement or not instrument.reasoning:
            missing.append(_("the overall judgement with reasoning"))
    return missing


@audited_service
def instrument_sign(*, actor: User, instrument: InstrumentT) -> InstrumentT:
    """Sign a draft; from then on it cannot change (a correction is a new version)."""
    model = type(instrument)
    case = Case.objects.get(pk=instrument.case_id)
    _require_assessor(actor, case)
    instrument = model.objects.select_for_update().get(pk=instrument.pk)
    if instrument.signed_at is not None:
        raise ValidationError(_("This assessment is already signed."), code="signed")
    missing = _missing_for_signing(instrument)
    if missing:
        raise ValidationError(
            _("Fill in before signing: %(missing)s.")
            % {"missing": ", ".join(str(m) for m in missing)},
            code="incomplete",
        )
    stamp(instrument, "signed", actor)
    audit_case_change(
        actor=actor,
        action=f"{model._meta.model_name}.sign",
        obj=instrument,
        changes={"version": instrument.version},
        case=case,
    )
    return instrument


@audited_service
def instrument_correct(*, actor: User, instrument: InstrumentT, reason: str) -> InstrumentT:
    """Start a correction: a new draft version that copies the signed one and points at it."""
    model = type(instrument)
    case = Case.objects.get(pk=instrument.case_id)
    _require_assessor(actor, case)
    if instrument.signed_at is None:
        raise ValidationError(
            _("Only a signed assessment can be corrected; edit the draft."), code="draft"
        )
    reason = required_text(
        reason, _("Say why the assessment is corrected."), code="reason_required"
    )
    if model.objects.filter(supersedes=instrument).exists():
        raise ValidationError(_("Correct the newest version."), code="not_latest")
    if _current_draft(model, case) is not None:
        raise ValidationError(_("A correction is already in progress."), code="draft_exists")
    copy_fields = {
        f.name: getattr(instrument, f.name)
        for f in model._meta.concrete_fields
        if f.name
        not in {
            "id",
            "case",
            "version",
            "supersedes",
            "correction_reason",
            "created_by",
            "created_at",
            "updated_at",
            "signed_by",
            "signed_at",
        }
    }
    new = model(
        case=case,
        version=_next_version(model, case),
        supersedes=instrument,
        correction_reason=reason,
        created_by=actor,
        **copy_fields,
    )
    new.save()
    audit_case_change(
        actor=actor,
        action=f"{model._meta.model_name}.correct",
        obj=new,
        changes={"supersedes_version": instrument.version, "version": new.version},
        reason=reason,
        case=case,
    )
    return new


def latest_signed(model: type[InstrumentT], case: Case) -> InstrumentT | None:
    """Return the newest signed version of an instrument on the case."""
    return model.objects.filter(case=case, signed_at__isnull=False).order_by("-version").first()


# --- Gang affiliation ------------------------------------------------------------------------

GANG_FIELDS = ["gang_group", "gang_role", "gang_since", "attachment"]
ROLE_MAX = 120


def _check_gang_affiliation(
    person: Person, group: GangGroup | None, role: str, since: date | None, attachment: str
) -> None:
    if attachment and attachment not in Attachment.values:
        raise ValidationError(_("Choose a degree of attachment from the list."), code="attachment")
    if len(role) > ROLE_MAX:
        raise ValidationError(
            _("Write the role in at most %(max)s characters.") % {"max": ROLE_MAX}, code="gang_role"
        )
    if group is None and (role or since):
        raise ValidationError(_("Choose the group before its role and date."), code="gang_group")
    if group is not None and not group.is_active and group.pk != person.gang_group_id:
        raise ValidationError(_("The group is no longer on the list."), code="gang_group")
    if since is not None:
        check_plausible_date(since, label=_("In the group since"))
        if not person.birth_date <= since <= timezone.localdate():
            raise ValidationError(
                _("The date must lie between the person's birth and today."), code="gang_since"
            )


@audited_service
def gang_affiliation_set(
    *,
    actor: User,
    case: Case,
    gang_group: GangGroup | None,
    gang_role: str = "",
    gang_since: date | None = None,
    attachment: str = "",
) -> Person:
    """Record the person's gang affiliation (group, role, since, degree of attachment) from
    their case: what the target-group assessment evaluates. Audited on the case."""
    require_actor(actor, case, Actor.CASEWORKER)
    person = Person.objects.select_for_update().get(pk=case.person_id)
    role = gang_role.strip()
    _check_gang_affiliation(person, gang_group, role, gang_since, attachment or "")
    before = snapshot(person, GANG_FIELDS)
    person.gang_group = gang_group
    person.gang_role = role
    person.gang_since = gang_since
    person.attachment = attachment or ""
    person.updated_at = timezone.now()
    person.save(update_fields=[*GANG_FIELDS, "updated_at"])
    after = snapshot(person, GANG_FIELDS)
    audit_case_change(
        actor=actor,
        action="person.gang_affiliation",
        obj=person,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        case=case,
    )
    return person
