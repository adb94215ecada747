"""``{% transfers_panel access %}``: transfers and good release on the case page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings

from vejud.access.casework import may_act
from vejud.access.rules import Part
from vejud.access.transfers import can_receive
from vejud.accounts.models import User
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.states import Actor, reachable_from
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.selectors import case_transfers, release_plan
from vejud.transfers.services import OPEN_FOR_TRANSFER

register = template.Library()


# A release plan is made for an admitted case only (``release_plans_run``).
PLANNED_STATUSES = reachable_from(CaseStatus.ADMITTED)


@dataclass
class TransfersOverview:
    """What the transfers and good-release panel shows of one case."""

    case: Case
    pending: Transfer | None
    history: list[Transfer]
    can_request: bool
    can_cancel: bool
    can_answer: bool
    show_release: bool
    can_set_release: bool
    plan: ReleasePlan | None
    checklist: list[tuple[str, bool]]  # (label, in place)
    can_edit_plan: bool
    plan_days: int
    waiting: Transfer | None  # accepted; the track changes on the release date


def transfers_overview(case: Case, user: User) -> TransfersOverview:
    """Collect the panel in a fixed number of queries, however many transfers there are."""
    transfers = case_transfers(case)
    pending = next((t for t in transfers if t.status == TransferStatus.PENDING), None)
    plan = release_plan(case) if case.status in PLANNED_STATUSES else None
    may_work = may_act(user, case, Actor.CASEWORKER)
    custody = case.track == Track.CUSTODY
    return TransfersOverview(
        case=case,
        pending=pending,
        history=[t for t in transfers if t is not pending],
        can_request=may_work and pending is None and case.status in OPEN_FOR_TRANSFER,
        can_cancel=may_work and pending is not None,
        can_answer=pending is not None and can_receive(user, pending),
        show_release=custody or plan is not None,
        can_set_release=may_work and custody and case.status == CaseStatus.ADMITTED,
        plan=plan,
        checklist=[
            (
                str(getattr(ReleasePlan._meta.get_field(name), "verbose_name", name)),
                bool(getattr(plan, name)),
            )
            for name in (ReleasePlan.CHECKLIST if plan else ())
        ],
        can_edit_plan=may_work and plan is not None and case.status == CaseStatus.ADMITTED,
        plan_days=settings.VEJUD_RELEASE_PLAN_DAYS,
        waiting=next((t for t in transfers if t.track_changes_on is not None), None),
    )


@register.inclusion_tag("transfers/_transfers_panel.html", takes_context=True)
def transfers_panel(context: Any, access: Any) -> dict[str, Any]:
    """Render the transfers panel for caseworkers (not mentors)."""
    if Part.JOURNAL not in access.parts:
        return {"overview": None}
    request = context["request"]
    return {
        "overview": transfers_overview(access.case, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
