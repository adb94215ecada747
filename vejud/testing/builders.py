"""The shared test builders: the standard cast, a case at each stage, in custody, with a full
course, with secrets, and the pieces of a course (goal, action, review, protected address).

The cast (``World``, ``make_world``: units A and B, the national point, DfK with a prison and
a user for every role) lives in ``vejud.testing`` and is re-exported here, so a test module
needs this one import. Every case belongs to unit A of the cast and is made through the real
services, in the order the exit process takes. Keyword arguments the builders do not name go
to the person (``first_name``, ``cpr``, ``threat_notes``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from vejud.accounts.models import User
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.services import case_transition, journal_add, mentor_assign
from vejud.courses.models import CaseOffer, MentorMeeting, PlanAction, PlanGoal
from vejud.courses.services import action_add, case_close, goal_add, meeting_log, offer_add
from vejud.decisions.services import (
    final_decision_record,
    referral_create,
    unit_decision_record,
)
from vejud.followup.models import EarlyWarning, Review
from vejud.followup.services import review_record
from vejud.offers.models import OfferType
from vejud.people.models import ProtectedAddress
from vejud.people.services import protected_address_set
from vejud.testing import (
    CAST,
    World,
    give_consent,
    make_admitted_case,
    make_assessed_case,
    make_case,
    make_user,
    make_world,
    reauthed_client,
    verified_client,
)
from vejud.transfers.models import ReleasePlan, Transfer
from vejud.transfers.services import (
    release_date_set,
    release_plans_run,
    transfer_accept,
    transfer_request,
)

__all__ = [
    "ADDRESS",
    "ASSESSED",
    "CAST",
    "CPR",
    "STAGES",
    "THREATS",
    "Course",
    "World",
    "add_action",
    "add_goal",
    "add_plan",
    "complete_course",
    "give_consent",
    "inquiry_fields",
    "log_flagged_meeting",
    "make_admitted_case",
    "make_assessed_case",
    "make_assessment_case",
    "make_case",
    "make_case_at",
    "make_closed_case",
    "make_custody_case",
    "make_custody_inquiry",
    "make_dropped_case",
    "make_full_course",
    "make_referred_case",
    "make_refused_case",
    "make_release_case",
    "make_sensitive_case",
    "make_upheld_case",
    "make_user",
    "make_withdrawn_case",
    "make_world",
    "move_to_custody",
    "protect_address",
    "reauthed_client",
    "record_review",
    "verified_client",
]

# What a sensitive case's person carries (see ``make_sensitive_case``).
CPR = "0101901234"
THREATS = "Threatened by the Kestrel crew after the March incident"
ADDRESS = "Hemmelig Allé 7, 8000 Aarhus C"
ADDRESS_REASON = "Relocated after threats"
JOURNAL = "Journal secret."

# The stages ``make_case_at`` builds, in the order of the exit process.
STAGES = (
    CaseStatus.INQUIRY,
    CaseStatus.WITHDRAWN,
    CaseStatus.ASSESSMENT,
    CaseStatus.DROPPED,
    CaseStatus.REFUSED,
    CaseStatus.REFERRED,
    CaseStatus.REFUSAL_UPHELD,
    CaseStatus.ADMITTED,
    CaseStatus.CLOSED,
)


def inquiry_fields(municipality: Any, **overrides: Any) -> dict[str, Any]:
    """What registering an inquiry asks for (Jonas Berg, by phone, today), for the form
    (``municipality``: its id) or the API (its name); ``overrides`` change or add fields."""
    return {
        "first_name": "Jonas",
        "last_name": "Berg",
        "birth_date": "1996-04-03",
        "source": "person",
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "municipality": municipality,
        **overrides,
    }


def make_assessment_case(world: World, **person: Any) -> Case:
    """Return a unit A case in assessment, with consent, no instrument signed yet."""
    case = make_case(world.coordinator_a, world.unit_a, **person)
    give_consent(world.member_a, case)
    return case_transition(actor=world.member_a, case=case, target=CaseStatus.ASSESSMENT)


def make_refused_case(world: World, **person: Any) -> Case:
    """Return an assessed unit A case that the unit refused (not motivated, not suitable)."""
    case = make_assessed_case(world, **person)
    unit_decision_record(
        actor=world.coordinator_a,
        case=case,
        outcome="refuse",
        grounds=["not_motivated", "not_suitable"],
        reasoning="Motivation carried by outer pressure only.",
    )
    case.refresh_from_db()
    return case


def make_referred_case(world: World, **person: Any) -> Case:
    """Return a refused unit A case referred, on the person's request, for a final decision."""
    case = make_refused_case(world, **person)
    referral_create(actor=world.member_a, case=case)
    case.refresh_from_db()
    return case


def make_withdrawn_case(world: World, **person: Any) -> Case:
    """Return a unit A inquiry the person withdrew before the assessment."""
    case = make_case(world.coordinator_a, world.unit_a, **person)
    return case_transition(
        actor=world.member_a, case=case, target=CaseStatus.WITHDRAWN, reason="Does not go on."
    )


def make_dropped_case(world: World, **person: Any) -> Case:
    """Return a unit A case dropped during the assessment."""
    case = make_assessment_case(world, **person)
    return case_transition(
        actor=world.member_a, case=case, target=CaseStatus.DROPPED, reason="Stopped coming."
    )


def make_upheld_case(world: World, **person: Any) -> Case:
    """Return a referred unit A case whose refusal the national decision-maker upheld."""
    case = make_referred_case(world, **person)
    final_decision_record(
        actor=world.decision_maker, case=case, outcome="uphold", reasoning="The refusal stands."
    )
    case.refresh_from_db()
    return case


def make_closed_case(world: World, **person: Any) -> Case:
    """Return a unit A case whose exit course ended (completed) today."""
    case = make_admitted_case(world, **person)
    case_close(actor=world.member_a, case=case, reason="completed", summary="Done.")
    case.refresh_from_db()
    return case


ASSESSED = "assessed"  # in assessment with consent and the three instruments signed

BUILDERS: dict[str, Any] = {
    CaseStatus.INQUIRY: lambda world, **person: make_case(
        world.coordinator_a, world.unit_a, **person
    ),
    CaseStatus.WITHDRAWN: make_withdrawn_case,
    CaseStatus.ASSESSMENT: make_assessment_case,
    CaseStatus.DROPPED: make_dropped_case,
    ASSESSED: make_assessed_case,
    CaseStatus.REFUSED: make_refused_case,
    CaseStatus.REFERRED: make_referred_case,
    CaseStatus.REFUSAL_UPHELD: make_upheld_case,
    CaseStatus.ADMITTED: make_admitted_case,
    CaseStatus.CLOSED: make_closed_case,
}


def make_case_at(world: World, stage: str, **person: Any) -> Case:
    """Return a unit A case that has reached ``stage`` (one of ``STAGES`` or ``ASSESSED``)."""
    case = BUILDERS[stage](world, **person)
    assert case.status == (CaseStatus.ASSESSMENT if stage == ASSESSED else stage), case.status
    return case


def make_custody_inquiry(world: World, actor: User | None = None, **person: Any) -> Case:
    """Return a new unit A case of a person held in the prison (on the custody track from the
    start), opened by ``actor`` (unit A's member unless given)."""
    return make_case(
        actor or world.member_a,
        world.unit_a,
        track=Track.CUSTODY,
        institution=world.prison,
        **person,
    )


def move_to_custody(world: World, case: Case) -> Case:
    """Move a unit A case to custody in the prison (an arrest: a transfer custody accepts)."""
    arrest = transfer_request(
        actor=world.member_a,
        case=case,
        to_unit=world.dfk,
        to_institution=world.prison,
        handover_note="Arrested",
    )
    transfer_accept(actor=world.custody, transfer=arrest)
    case.refresh_from_db()
    return case


def make_custody_case(world: World, **person: Any) -> Case:
    """Return an admitted case moved to custody in the prison (the arrest track)."""
    return move_to_custody(world, make_admitted_case(world, **person))


def make_release_case(world: World, *, days: int = 30, **person: Any) -> Case:
    """Return a custody case released in ``days`` days, its release plan made (at once within
    ``VEJUD_RELEASE_PLAN_DAYS``, else by the daily job when its time comes)."""
    case = make_custody_case(world, **person)
    release_date_set(
        actor=world.custody, case=case, release_on=timezone.localdate() + timedelta(days=days)
    )
    release_plans_run()
    assert ReleasePlan.objects.filter(case=case).exists()
    case.refresh_from_db()
    return case


def protect_address(
    world: World, case: Case, address: str = ADDRESS, reason: str = ADDRESS_REASON, **extra: Any
) -> ProtectedAddress:
    """Register a protected address for the case's person (unit A's coordinator is custodian)."""
    record = protected_address_set(
        actor=world.coordinator_a,
        person=case.person,
        case=case,
        address=address,
        reason=reason,
        **extra,
    )
    assert record is not None, "unit A's coordinator is not the custodian of the address"
    return record


def make_sensitive_case(
    world: World,
    *,
    stage: str = CaseStatus.INQUIRY,
    address: str = ADDRESS,
    journal: str = "",
    **person: Any,
) -> Case:
    """Return a unit A case whose person has a CPR number, threat notes and a protected address.

    A given ``cpr`` goes with the default birth date of ``make_person``; ``journal`` adds
    a journal note with that text.
    """
    defaults: dict[str, Any] = {"threat_notes": THREATS}
    if "cpr" not in person:
        defaults.update(cpr=CPR, birth_date=date(1990, 1, 1))
    case = make_case_at(world, stage, **{**defaults, **person})
    protect_address(world, case, address)
    if journal:
        journal_add(actor=world.member_a, case=case, text=journal)
    case.refresh_from_db()
    return case


def add_goal(
    world: World, case: Case, life_area: str = "housing", goal: str = "A flat"
) -> PlanGoal:
    """Unit A's member adds a goal to the exit plan of an admitted case."""
    return goal_add(actor=world.member_a, case=case, life_area=life_area, goal=goal)


def add_action(
    world: World,
    goal: PlanGoal,
    description: str = "Apply",
    *,
    due_in: int = 0,
    owner_agency: str = "municipality",
    **extra: Any,
) -> PlanAction:
    """Unit A's member adds an action to ``goal``, due in ``due_in`` days (negative: overdue)."""
    return action_add(
        actor=world.member_a,
        goal=goal,
        description=description,
        owner_agency=owner_agency,
        deadline=timezone.localdate() + timedelta(days=due_in),
        **extra,
    )


def add_plan(world: World, case: Case, *, offer: str = "therapy") -> tuple[PlanAction, CaseOffer]:
    """Give an admitted case a housing goal with one action due today and an offer."""
    action = add_action(world, add_goal(world, case))
    case_offer = offer_add(
        actor=world.member_a, case=case, offer_type=OfferType.objects.get(code=offer)
    )
    return action, case_offer


def log_flagged_meeting(world: World, case: Case, *, minutes: int = 20) -> MentorMeeting:
    """The standard mentor logs a phone meeting today that needs the caseworker's attention."""
    return meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="phone",
        duration_minutes=minutes,
        needs_attention=True,
    )


def record_review(
    world: World,
    case: Case,
    *,
    level: int = 3,
    progress: tuple[int, int, int] = (1, 1, 1),
    on: date | None = None,
    days_ago: int = 0,
    **extra: Any,
) -> Review:
    """Unit A's member records a review (today, or ``on``, less ``days_ago``): motivation
    ``level`` and the crime / environment / lifestyle ratings ``progress``."""
    crime, environment, lifestyle = progress
    return review_record(
        actor=world.member_a,
        case=case,
        reviewed_on=(on or timezone.localdate()) - timedelta(days=days_ago),
        crime_stopped=crime,
        environment_left=environment,
        lifestyle_changed=lifestyle,
        motivation_level=level,
        **extra,
    )


@dataclass
class Course:
    """A full exit course (see ``make_full_course``)."""

    case: Case
    goal: PlanGoal
    action: PlanAction
    offer: CaseOffer
    meeting: MentorMeeting
    warning: EarlyWarning
    transfer: Transfer

    def ids(self) -> dict[str, Any]:
        """The case and the primary keys of its course's objects, by name."""
        return {
            "case": self.case,
            **{
                name: getattr(self, name).pk
                for name in ("goal", "action", "offer", "meeting", "warning", "transfer")
            },
        }


def make_full_course(world: World, **person: Any) -> Course:
    """An admitted unit A case with everything a course holds (see ``complete_course``)."""
    return complete_course(world, make_admitted_case(world, **person))


def complete_course(world: World, case: Case, *, offer: str = "residence") -> Course:
    """Give an admitted case a plan, an offer, a mentor with a flagged meeting, a review with
    an open warning and a pending transfer to the national contact point."""
    action, case_offer = add_plan(world, case, offer=offer)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    meeting = log_flagged_meeting(world, case)
    review = record_review(world, case, level=1)
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.national, handover_note="To the NEC."
    )
    case.refresh_from_db()
    return Course(
        case=case,
        goal=action.goal,
        action=action,
        offer=case_offer,
        meeting=meeting,
        warning=EarlyWarning.objects.get(review=review),
        transfer=transfer,
    )
