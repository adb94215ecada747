"""The tables the bulk seeder writes, in the order a batch writes them: a row only
refers to rows of tables before it (or of earlier batches)."""

from __future__ import annotations

from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.cases.models import Case, CaseTransition, JournalEntry, MentorAssignment
from vejud.courses.models import (
    CaseClosure,
    CaseOffer,
    ExitAgreement,
    MentorMeeting,
    PlanAction,
    PlanGoal,
)
from vejud.decisions.models import Decision, Referral
from vejud.demo.bulk.grants import GRANT_TABLES
from vejud.demo.bulk.writer import Table
from vejud.followup.models import EarlyWarning, Review, RiskEvent
from vejud.intake.models import Consent, Inquiry
from vejud.people.models import Person

PERSON = Table(
    Person,
    (
        "id", "public_id", "first_name", "last_name", "cpr", "cpr_hash", "birth_date", "phone",
        "gang_group_id", "gang_role", "gang_since", "attachment", "threat_notes", "name_search",
        "created_at", "updated_at",
    ),
    encrypted=("cpr", "threat_notes"),
)  # fmt: skip
CASE = Table(
    Case,
    (
        "id", "reference", "person_id", "responsible_unit_id", "track", "institution_id",
        "status", "opened_on", "closed_on", "previous_case_id", "assessment_due_on",
        "course_started_on", "release_on", "review_from", "action_due_on", "outcome_due_on",
        "status_changed_at",
        "version", "created_at", "updated_at",
    ),
)  # fmt: skip
INQUIRY = Table(
    Inquiry,
    (
        "id", "case_id", "source", "channel", "received_on", "municipality_id", "in_custody",
        "note", "registered_by_id", "registered_at",
    ),
)  # fmt: skip
CONSENT = Table(
    Consent,
    (
        "id", "case_id", "given_on", "method", "agencies", "topics", "valid_until",
        "recorded_by_id", "recorded_at", "withdrawn_on", "withdrawal_note",
        "withdrawal_recorded_by_id",
    ),
)  # fmt: skip
TRANSITION = Table(
    CaseTransition, ("id", "case_id", "from_status", "to_status", "actor_id", "at", "reason")
)
JOURNAL = Table(JournalEntry, ("id", "case_id", "author_id", "created_at", "text", "corrects_id"))
_INSTRUMENT = (
    "id", "version", "correction_reason", "created_by_id", "created_at", "updated_at",
    "signed_by_id", "signed_at", "case_id", "supersedes_id",
)  # fmt: skip
TARGET_GROUP = Table(
    TargetGroupAssessment,
    (*_INSTRUMENT, "criteria_version_id", "answers", "within_target_group", "reasoning"),
)
MOTIVATION = Table(
    MotivationAssessment,
    (
        *_INSTRUMENT, "push_factors", "pull_factors", "factors_note", "own_explanation",
        "help_wishes", "help_note", "fear_borne", "fear_note", "fear_only", "motivation_kind",
        "parole_only_motive", "level", "reasoning",
    ),
)  # fmt: skip
SUITABILITY = Table(
    SuitabilityAssessment,
    (
        *_INSTRUMENT, "leaving_clarity", "leaving_clarity_reasoning", "lifestyle_clarity",
        "lifestyle_clarity_reasoning", "steps_taken", "steps_taken_reasoning",
        "will_and_ability", "will_and_ability_reasoning", "judgement", "reasoning",
    ),
)  # fmt: skip
DECISION = Table(
    Decision,
    (
        "id", "case_id", "level", "outcome", "grounds", "reasoning", "target_group_id",
        "motivation_id", "suitability_id", "decided_by_id", "decided_at",
    ),
)  # fmt: skip
REFERRAL = Table(
    Referral,
    (
        "id", "case_id", "refusal_id", "requested_by_person", "note", "referred_by_id",
        "referred_at", "due_on", "final_decision_id",
    ),
)  # fmt: skip
AGREEMENT = Table(
    ExitAgreement,
    (
        "id", "case_id", "parties", "starts_on", "expected_months", "signed_on", "terms",
        "created_by_id", "created_at", "updated_at",
    ),
)  # fmt: skip
GOAL = Table(PlanGoal, ("id", "case_id", "life_area", "goal", "created_by_id", "created_at"))
ACTION = Table(
    PlanAction,
    (
        "id", "goal_id", "case_id", "description", "owner_agency", "owner_id", "deadline",
        "status", "outcome", "updated_at",
    ),
)  # fmt: skip
OFFER = Table(
    CaseOffer,
    (
        "id", "case_id", "offer_type_id", "provider", "starts_on", "ends_on", "status",
        "result", "created_by_id", "updated_at",
    ),
)  # fmt: skip
MENTOR = Table(MentorAssignment, ("id", "case_id", "mentor_id", "starts_on", "ends_on"))
MEETING = Table(
    MentorMeeting,
    (
        "id", "assignment_id", "case_id", "met_on", "form", "duration_minutes", "note",
        "needs_attention", "attention_resolved_at", "attention_resolved_by_id",
        "created_by_id", "created_at",
    ),
)  # fmt: skip
REVIEW = Table(
    Review,
    (
        "id", "case_id", "reviewed_on", "crime_stopped", "crime_evidence", "environment_left",
        "environment_evidence", "lifestyle_changed", "lifestyle_evidence", "custody_behaviour",
        "custody_evidence", "motivation_level", "note", "created_by_id", "created_at",
    ),
)  # fmt: skip
RISK = Table(RiskEvent, ("id", "case_id", "review_id", "kind", "occurred_on", "note"))
WARNING = Table(
    EarlyWarning,
    (
        "id", "case_id", "review_id", "reason", "detail", "raised_at", "resolved_at",
        "resolved_by_id", "resolution_note",
    ),
)  # fmt: skip
CLOSURE = Table(CaseClosure, ("id", "case_id", "reason", "summary", "closed_by_id", "closed_at"))

TABLES: tuple[Table, ...] = (
    PERSON, CASE, INQUIRY, CONSENT, TRANSITION, JOURNAL, TARGET_GROUP, MOTIVATION, SUITABILITY,
    DECISION, REFERRAL, AGREEMENT, GOAL, ACTION, OFFER, MENTOR, MEETING, REVIEW, RISK, WARNING,
    CLOSURE, *GRANT_TABLES,
)  # fmt: skip
