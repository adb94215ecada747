"""The three instruments through the API: read all versions, save a draft, sign, correct.

Same services and gate as the instrument pages (``vejud.assessments.views``); saving a
draft, signing and correcting are the declared actions (``vejud.assessments.actions``). The
draft body is specific to each instrument, so each has its own action and PUT operation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router

from vejud.actions.declare import plain
from vejud.api.gates import CASEWORK, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import (
    AssessmentOut,
    CorrectionIn,
    GangAffiliationIn,
    GangOut,
    InstrumentKind,
    InstrumentVersionOut,
    MotivationDraftIn,
    MotivationVersionOut,
    ReferencePath,
    SuitabilityDraftIn,
    SuitabilityVersionOut,
    TargetGroupDraftIn,
    TargetGroupVersionOut,
    gang_out,
)
from vejud.assessments import services
from vejud.assessments.actions import (
    ASSESSMENT_CORRECT,
    ASSESSMENT_SIGN,
    GANG_AFFILIATION,
    MOTIVATION_DRAFT,
    SUITABILITY_DRAFT,
    TARGET_GROUP_DRAFT,
)
from vejud.assessments.forms import AUTO_LABELS
from vejud.assessments.models import (
    CriteriaVersion,
    MotivationFactor,
    TargetGroupAssessment,
)
from vejud.cases.models import Case
from vejud.offers.models import OfferType
from vejud.people.models import GangGroup

router = Router(tags=["assessments"])

BASE = "/cases/{reference}/assessments"


def _default_criteria(case: Case, draft: TargetGroupAssessment | None) -> CriteriaVersion | None:
    """Return the criteria version a draft uses when none is named (as the page does)."""
    if draft is not None:
        return draft.criteria_version
    programme = services.programme_for_case(case)
    if programme is None:
        return None
    in_force = services.criteria_in_force
    return in_force(programme, on=case.opened_on) or in_force(programme)


def _criteria_versions(case: Case, draft: TargetGroupAssessment | None) -> list[dict[str, Any]]:
    """Return the criteria versions a target-group draft may use, with their criteria."""
    programme = services.programme_for_case(case)
    if programme is None:
        return []
    today = timezone.localdate()
    default = _default_criteria(case, draft)
    english = (get_language() or "da").startswith("en")
    result = []
    for version in programme.criteria_versions.all():
        if not (version.in_force_on(case.opened_on) or version.in_force_on(today)):
            continue
        auto = services.criteria_evaluate(case, version, on=case.opened_on)
        criteria = [
            {"code": code, "text": str(AUTO_LABELS[code]), "auto_met": answer["met"]}
            for code, answer in auto.items()
        ]
        criteria += [
            {
                "code": q["code"],
                "text": q["text_en"] if english else q["text_da"],
                "auto_met": None,
            }
            for q in version.questions
        ]
        result.append(
            {
                "id": version.pk,
                "label": version.label,
                "programme": programme.name,
                "valid_from": version.valid_from,
                "valid_to": version.valid_to,
                "default": default is not None and version.pk == default.pk,
                "criteria": criteria,
            }
        )
    return result


@CASEWORK.route(
    router.get,
    BASE + "/{kind}",
    {200: AssessmentOut, **READ_ERRORS},
    "assessment_versions",
    "Show all versions of an instrument",
)
def assessment_versions(
    request: HttpRequest,
    kind: InstrumentKind,
    reference: str = ReferencePath,
) -> dict[str, Any]:
    """Return every version, newest first, and the choices a draft may use (the view is logged)."""
    access = case_access_of(request)
    model = services.INSTRUMENTS[kind.value]
    related = ["signed_by", "created_by", "supersedes"]
    if model is TargetGroupAssessment:
        related.append("criteria_version__programme")
    versions = list(
        model.objects.filter(case=access.case).select_related(*related).order_by("-version")
    )
    log_case_read(request, access, f"assessment_{kind.value}")
    return {
        "kind": kind.value,
        "label": str(services.INSTRUMENT_LABELS[kind.value]),
        "versions": versions,
        **_draft_choices(kind, access.case, versions),
    }


def _draft_choices(kind: InstrumentKind, case: Case, versions: list[Any]) -> dict[str, Any]:
    """What a draft of ``kind`` may choose from: criteria versions, or factors and offers."""
    choices: dict[str, Any] = {"criteria_versions": [], "factors": [], "offers": []}
    if kind == InstrumentKind.TARGET_GROUP:
        draft = next((v for v in versions if v.signed_at is None), None)
        choices["criteria_versions"] = _criteria_versions(case, draft)
    elif kind == InstrumentKind.MOTIVATION:
        choices["factors"] = [
            {"code": f.code, "name": f.name, "group": f.kind, "fear": f.is_fear}
            for f in MotivationFactor.objects.all()
        ]
        choices["offers"] = [
            {"code": o.code, "name": o.name, "group": "", "fear": False}
            for o in OfferType.objects.filter(is_active=True)
        ]
    return choices


def _target_group_fields(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The body's criteria version as the service wants it (default: as the page has it)."""
    if data["criteria_version"] is None:
        draft = TargetGroupAssessment.objects.filter(case=case, signed_at__isnull=True).first()
        version = _default_criteria(case, draft)
    else:
        programme = services.programme_for_case(case)
        version = CriteriaVersion.objects.filter(
            pk=data["criteria_version"], programme=programme
        ).first()
    if version is None:
        raise ValidationError(
            {"criteria_version": _("Unknown criteria version.")}, code="criteria_version"
        )
    return {**data, "criteria_version": version}


def _blank(choice: str) -> Any:
    """A draft's body whose one choice ``choice`` is blank when not made, as the service wants."""

    def prepare(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, choice: plain(data[choice]) or ""}

    return prepare


def _gang_fields(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The body as the service wants it: the group by its name on the reference list."""
    group = None
    if data["group"] is not None:
        group = GangGroup.objects.filter(name=data["group"]).first()
        if group is None:
            raise ValidationError({"group": _("Unknown group.")}, code="gang_group")
    return {
        "gang_group": group,
        "gang_role": data["role"],
        "gang_since": data["since"],
        "attachment": plain(data["attachment"]) or "",
    }


def _itself(instrument: Any) -> Any:
    """The signed or new version as it is (its schema reads the attributes)."""
    return instrument


register(
    router,
    Operation(
        TARGET_GROUP_DRAFT,
        "/assessments/target_group/draft",
        TargetGroupDraftIn,
        TargetGroupVersionOut,
        _itself,
        "Save the target-group draft",
        "target_group_draft",
        status=200,
        method="PUT",
        prepare=_target_group_fields,
        description="Save the draft (replacing its content) against a criteria version of the "
        "programme.",
    ),
    Operation(
        MOTIVATION_DRAFT,
        "/assessments/motivation/draft",
        MotivationDraftIn,
        MotivationVersionOut,
        _itself,
        "Save the motivation draft",
        "motivation_draft",
        status=200,
        method="PUT",
        prepare=_blank("motivation_kind"),
        description="Save the draft (replacing its content); fear_only in the answer flags fear "
        "alone.",
    ),
    Operation(
        SUITABILITY_DRAFT,
        "/assessments/suitability/draft",
        SuitabilityDraftIn,
        SuitabilityVersionOut,
        _itself,
        "Save the suitability draft",
        "suitability_draft",
        status=200,
        method="PUT",
        prepare=_blank("judgement"),
        description="Save the draft (replacing its content): four criteria rated 1-4, and the "
        "judgement.",
    ),
    Operation(
        ASSESSMENT_SIGN,
        "/assessments/{kind}/signature",
        None,
        InstrumentVersionOut,
        _itself,
        "Sign the draft",
        "assessment_sign",
        status=200,
        target_type=InstrumentKind,
    ),
    Operation(
        ASSESSMENT_CORRECT,
        "/assessments/{kind}/corrections",
        CorrectionIn,
        InstrumentVersionOut,
        _itself,
        "Start a correction of the newest signed version",
        "assessment_correct",
        target_type=InstrumentKind,
    ),
    Operation(
        GANG_AFFILIATION,
        "/gang-affiliation",
        GangAffiliationIn,
        GangOut,
        gang_out,
        "Record the person's gang affiliation",
        "gang_affiliation_set",
        status=200,
        method="PUT",
        prepare=_gang_fields,
        description="Record or change the group, role, date and degree of attachment that the "
        "target-group assessment evaluates (the case's gang part). The whole affiliation is "
        "given: a field left out is cleared.",
    ),
)
