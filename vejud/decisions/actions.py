"""The decision actions on a case: plain transitions, the unit's decision, referral, the
national contact point's questions and the final decision.

When each is possible comes from the case state table (``vejud.cases.states``): the
transitions it makes, and who makes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.accounts.models import User
from vejud.actions.declare import CaseAction, Target, any_status, declare, moving
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import case_transition
from vejud.cases.states import DECISION_TARGETS, Actor, reachable_from
from vejud.decisions.forms import (
    FinalDecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
    ReferralForm,
    TransitionForm,
    UnitDecisionForm,
)
from vejud.decisions.models import InformationRequest
from vejud.decisions.selectors import latest_referral, process_overview
from vejud.decisions.services import (
    decision_requirements,
    final_decision_record,
    information_request_answer,
    information_request_create,
    referral_create,
    unit_decision_record,
)

# Information is asked only on a referred case: no other case can hold a question.
ASKED_STATUSES = reachable_from(CaseStatus.REFERRED)
FINAL = moving(lambda t: t.actor == Actor.NATIONAL_DECIDER)


def _overview(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    return {"overview": process_overview(access, user)}


def _decision_context(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    return {
        **_overview(access, user, target),
        "admit_missing": decision_requirements(access.case, "admit", []),
    }


def _question(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    return {**_overview(access, user, target), "question": target}


def _find_request(case: Case, pk: int) -> InformationRequest:
    return get_object_or_404(InformationRequest, pk=pk, referral__case=case)


def _unanswered(case: Case, info: InformationRequest | None) -> bool:
    """The request is unanswered (without one: the case has an unanswered request).

    Only on a case that has been referred: a question is asked on a referral, so a case in
    any other status has none to answer (the panel need not look; the page and API agree).
    """
    if case.status not in ASKED_STATUSES:
        return False
    if info is not None:
        return info.answered_at is None
    if latest_referral(case) is None:  # never referred (the panel reads the referral anyway)
        return False
    return InformationRequest.objects.filter(referral__case=case, answered_at__isnull=True).exists()


def _process(name: str, **fields: Any) -> CaseAction:
    """A decision action: in this app's URLs, logged as process_<name>, over the overview."""
    return CaseAction(
        **{
            "name": name,
            "namespace": "decisions",
            "context": _overview,
            "log_as": f"process_{name}",
            **fields,
        }
    )


TRANSITION = _process(
    "transition",
    log_as="action_transition",
    url_name="transition",
    slug="overgang/",
    title=_("Move the case on"),
    form=TransitionForm,
    service=case_transition,
    when=moving(lambda t: (t.source, t.target) not in DECISION_TARGETS),
    success=_("The case is updated."),
    methods=("POST",),
)
DECIDE = _process(
    "decide",
    url_name="unit_decision",
    slug="afgoerelse/",
    title=_("The unit's decision"),
    submit=_("Make the decision"),
    form=UnitDecisionForm,
    service=unit_decision_record,
    when=moving(lambda t: t.actor == Actor.UNIT_DECIDER),
    success=_("The decision is recorded. The letter can be printed from the case."),
    template="decisions/unit_decision.html",
    context=_decision_context,
)
REFER = _process(
    "refer",
    url_name="referral_new",
    slug="forelaeggelse/",
    title=_("Refer for final decision"),
    form=ReferralForm,
    service=referral_create,
    when=moving(lambda t: t.target == CaseStatus.REFERRED),
    success=_("The case is referred to the National Exit Contact Point."),
)
FINAL_DECIDE = _process(
    "final_decide",
    url_name="final_decision",
    slug="endelig-afgoerelse/",
    title=_("Final decision"),
    submit=_("Make the final decision"),
    form=FinalDecisionForm,
    service=final_decision_record,
    when=FINAL,
    success=_("The final decision is recorded."),
)
ASK_INFORMATION = _process(
    "ask_information",
    url_name="information_request",
    slug="oplysninger/",
    title=_("Ask the unit for information"),
    form=InformationRequestForm,
    service=information_request_create,
    when=FINAL,  # while the final decision is pending, by whoever makes it
    success=_("The question is sent to the unit."),
)
ANSWER_INFORMATION = _process(
    "answer_information",
    url_name="information_answer",
    slug="oplysninger/<int:request_id>/svar/",
    title=_("Answer the contact point"),
    form=InformationAnswerForm,
    service=information_request_answer,
    when=any_status(Actor.CASEWORKER),
    condition=_unanswered,
    target=Target("request_id", _find_request, "request"),
    success=_("The answer is sent to the National Exit Contact Point."),
    context=_question,
)

ACTIONS = declare(TRANSITION, DECIDE, REFER, FINAL_DECIDE, ASK_INFORMATION, ANSWER_INFORMATION)
