"""What the case page shows about the exit process: stage, what is missing, deadlines, actions.

``process_overview`` offers exactly the actions the user may take now: the decision
actions ask their declared table (``decisions/actions.py``), as their pages and API do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import BooleanField, CharField, F, Value
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.accounts.models import User
from vejud.actions.declare import Acting, possible_now
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.assessments.services import EDITABLE_STATUSES, INSTRUMENT_LABELS
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import DECISION_TARGETS, TABLE, Actor, transitions_from
from vejud.core.request_cache import request_cached
from vejud.decisions.models import Decision, InformationRequest, Referral
from vejud.intake.models import Consent, ConsentAgency
from vejud.intake.selectors import consent_in_force

STAGES: list[tuple[str, Promise, frozenset[str]]] = [
    ("inquiry", _("Inquiry"), frozenset({CaseStatus.INQUIRY})),
    ("assessment", _("Assessment"), frozenset({CaseStatus.ASSESSMENT})),
    (
        "decision",
        _("Decision"),
        frozenset({CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.DROPPED}),
    ),
    ("referral", _("Final decision"), frozenset({CaseStatus.REFERRED, CaseStatus.REFUSAL_UPHELD})),
    ("course", _("Exit course"), frozenset({CaseStatus.ADMITTED, CaseStatus.CLOSED})),
]

INSTRUMENT_MODELS = {
    "target_group": TargetGroupAssessment,
    "motivation": MotivationAssessment,
    "suitability": SuitabilityAssessment,
}


# The columns of an instrument version that the process panel and the API read.
VERSION_FIELDS = (
    "id",
    "case_id",
    "version",
    "supersedes_id",
    "correction_reason",
    "created_by_id",
    "created_at",
    "signed_by_id",
    "signed_at",
)
_USER_NAMES = ("created_by_name", "signed_by_name")


def instrument_versions(case: Case) -> dict[str, list[Any]]:
    """Return every version of the three instruments of ``case``, newest first, in one query.

    One UNION over the three tables of the columns in ``VERSION_FIELDS`` (and the motivation's
    ``fear_only``), with the names of who created and signed each. Each row becomes an instance
    of its model holding those columns (any other field loads on access, as with ``only()``).
    """
    parts = [
        model.objects.filter(case=case)
        .order_by()
        .values_list(
            Value(kind, output_field=CharField()),
            *VERSION_FIELDS,
            F("fear_only") if kind == "motivation" else Value(False, output_field=BooleanField()),
            "created_by__full_name",
            "signed_by__full_name",
        )
        for kind, model in INSTRUMENT_MODELS.items()
    ]
    rows = parts[0].union(*parts[1:], all=True)
    names = (*VERSION_FIELDS, "fear_only", *_USER_NAMES)
    versions: dict[str, list[Any]] = {kind: [] for kind in INSTRUMENT_MODELS}
    for kind, *values in rows:
        versions[kind].append(
            _version(INSTRUMENT_MODELS[kind], case, dict(zip(names, values, strict=True)))
        )
    for found in versions.values():
        found.sort(key=lambda v: v.version, reverse=True)
        by_id = {v.pk: v for v in found}
        for version in found:  # the version a correction supersedes, from the same rows
            if version.supersedes_id in by_id:
                version.supersedes = by_id[version.supersedes_id]
    return versions


def _version(model: Any, case: Case, row: dict[str, Any]) -> Any:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    instance = model.from_db(None, fields, [row[name] for name in fields])
    instance.case = case
    instance.created_by = User.from_db(
        None, ["id", "full_name"], [row["created_by_id"], row["created_by_name"]]
    )
    if row["signed_by_id"] is not None:
        instance.signed_by = User.from_db(
            None, ["id", "full_name"], [row["signed_by_id"], row["signed_by_name"]]
        )
    return instance


@dataclass
class Stage:
    code: str
    label: Promise
    state: str  # "done" | "current" | "todo"


@dataclass
class InstrumentState:
    kind: str
    label: Promise
    latest: Any | None
    signed: Any | None
    draft: Any | None
    versions: list[Any]


@dataclass
class ProcessOverview:
    case: Case
    stages: list[Stage]
    missing: list[str]
    deadline: date | None
    deadline_label: Promise | None
    overdue: bool
    consent: Consent | None
    consents: list[Consent]
    instruments: list[InstrumentState]
    decisions: list[Decision]
    referral: Referral | None
    information_requests: list[InformationRequest]
    actions: dict[str, bool] = field(default_factory=dict)
    transitions: list[Any] = field(default_factory=list)


def _stages(status: str) -> list[Stage]:
    current = next((i for i, (_c, _l, s) in enumerate(STAGES) if status in s), 0)
    return [
        Stage(code, label, "done" if i < current else "current" if i == current else "todo")
        for i, (code, label, _s) in enumerate(STAGES)
    ]


def _decided_statuses() -> frozenset[str]:
    """The statuses a case can only reach through a unit's decision (the state table is a DAG:
    a case before its decision has no decision and no referral, and nothing to query)."""
    reached = {t.target for t in TABLE if t.actor == Actor.UNIT_DECIDER}
    while True:
        more = {t.target for t in TABLE if t.source in reached} - reached
        if not more:
            return frozenset(reached)
        reached |= more


DECIDED_STATUSES = _decided_statuses()
# The declared actions (intake/actions.py, decisions/actions.py) the panel offers.
PANEL_ACTIONS = (
    "consent",
    "decide",
    "refer",
    "ask_information",
    "answer_information",
    "final_decide",
)


def latest_referral(case: Case) -> Referral | None:
    """Return the case's latest referral with who made it, read once a request (the process
    panel shows it; whether a question is unanswered looks here first)."""
    return request_cached(
        ("latest_referral", case.pk),
        lambda: (
            Referral.objects.filter(case=case)
            .select_related("referred_by")
            .order_by("-referred_at")
            .first()
        ),
    )


def _rest_on(decisions: list[Decision], every_version: dict[str, list[Any]]) -> None:
    """Give each decision the instrument versions it rests on, from the rows already read."""
    for kind, versions in every_version.items():
        by_id = {v.pk: v for v in versions}
        for decision in decisions:
            version = by_id.get(getattr(decision, f"{kind}_id"))
            if version is not None:
                setattr(decision, kind, version)


def process_overview(access: CaseAccess, user: User) -> ProcessOverview:
    """Return everything the process panel shows, in a fixed number of queries."""
    case = access.case
    today = timezone.localdate()
    consents = list(
        Consent.objects.filter(case=case).select_related("recorded_by").order_by("-given_on", "-id")
    )
    case._prefetched_objects_cache = {"consents": consents}  # type: ignore[attr-defined]
    consent = consent_in_force(case)
    instruments: list[InstrumentState] = []
    every_version = instrument_versions(case)
    for kind in INSTRUMENT_MODELS:
        versions = every_version[kind]
        signed = next((v for v in versions if v.signed_at is not None), None)
        draft = next((v for v in versions if v.signed_at is None), None)
        instruments.append(
            InstrumentState(
                kind,
                INSTRUMENT_LABELS[kind],
                versions[0] if versions else None,
                signed,
                draft,
                versions,
            )
        )
    decided = case.status in DECIDED_STATUSES
    decisions = (
        list(
            Decision.objects.filter(case=case)
            .select_related("decided_by")
            .order_by("decided_at", "id")
        )
        if decided
        else []
    )
    _rest_on(decisions, every_version)
    referral = latest_referral(case) if decided else None
    requests = (
        list(
            InformationRequest.objects.filter(referral=referral).select_related(
                "asked_by", "answered_by"
            )
        )
        if referral
        else []
    )
    missing: list[str] = []
    status = case.status
    if status in {CaseStatus.INQUIRY, CaseStatus.ASSESSMENT} and consent is None:
        missing.append(str(_("A valid consent from the person")))
    if status == CaseStatus.ASSESSMENT:
        for item in instruments:
            if item.signed is None:
                missing.append(
                    str(
                        _("A signed %(instrument)s assessment")
                        % {"instrument": str(item.label).lower()}
                    )
                )
    if status == CaseStatus.REFUSED and not (
        consent and ConsentAgency.NATIONAL in consent.agencies
    ):
        missing.append(str(_("Consent covering the National Exit Contact Point (for a referral)")))
    deadline: date | None = None
    deadline_label: Promise | None = None
    if status in {CaseStatus.INQUIRY, CaseStatus.ASSESSMENT}:
        deadline, deadline_label = case.assessment_due_on, _("Assessment due")
    elif status == CaseStatus.REFERRED and referral is not None:
        deadline, deadline_label = referral.due_on, _("Final decision due")
    overview = ProcessOverview(
        case=case,
        stages=_stages(status),
        missing=missing,
        deadline=deadline,
        deadline_label=deadline_label,
        overdue=deadline is not None and deadline < today,
        consent=consent,
        consents=consents,
        instruments=instruments,
        decisions=decisions,
        referral=referral,
        information_requests=requests,
    )
    acting = Acting.of(user, case)
    caseworker = acting(Actor.CASEWORKER)
    overview.transitions = [
        t
        for t in transitions_from(status)
        if (t.source, t.target) not in DECISION_TARGETS and acting(t.actor)
    ]
    overview.actions = {
        "assess": caseworker and status in EDITABLE_STATUSES,
        **possible_now(PANEL_ACTIONS, user, case, acting),
        "letters": caseworker or acting(Actor.NATIONAL_DECIDER),
    }
    return overview
