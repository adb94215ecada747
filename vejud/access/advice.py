"""Who asks for advice, who sees a request, and what advisers see of the case: the one place
the advice rules know roles.

- Staff of a local unit, DfK or an institution (``ASK_ADVICE``) ask on behalf of their unit; a
  member sees the requests they asked, a coordinator every request of their unit.
- The national contact point (``GIVE_ADVICE``) sees the queue: every request, except those
  about a person whose lists bar the adviser.
- A request tied to a case shares with the advisers only the parts the unit attached, while
  the request is open and before ``access_until`` (the rule reads the dates: no job ends it).
  Every view an adviser makes of a request about a case is in the access log marked advice,
  also for advisers who see every case by their role.

A request outside the user's reach answers 404, as one that does not exist; a role without
either capability 403 (the gates below declare it for the authorisation matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from vejud.access.cases import barred_persons, case_access
from vejud.access.gate import object_view
from vejud.access.rules import CAPABILITY_ROLES, Capability, Part, scope_for
from vejud.accounts.models import Membership, User
from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.audit.services import log_access
from vejud.cases.models import Case
from vejud.organisations.models import Unit, UnitKind


class SharedPart(StrEnum):
    """A part of a case a unit may attach to a request."""

    INSTRUMENTS = "instruments"
    PLAN = "plan"
    FOLLOWUP = "followup"
    JOURNAL = "journal"  # only the notes picked one by one


def gives_advice(user: User) -> bool:
    """Return True for the national contact point's advisers (the queue, answers, notes)."""
    scope = scope_for(user)
    return scope.national and scope.has(Capability.GIVE_ADVICE)


def advisers() -> QuerySet[User]:
    """The users a request may be assigned to: the national contact point's staff today."""
    members = Membership.objects.active().filter(
        role__in=sorted(CAPABILITY_ROLES[Capability.GIVE_ADVICE]), unit__kind=UnitKind.NATIONAL
    )
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "full_name"
    )


def asks_advice(user: User) -> bool:
    """Return True for staff who ask on behalf of a unit."""
    return scope_for(user).has(Capability.ASK_ADVICE)


def asker_unit_ids(user: User) -> frozenset[int]:
    """The units ``user`` asks on behalf of: their local units, DfK and institutions."""
    scope = scope_for(user)
    if not scope.has(Capability.ASK_ADVICE):
        return frozenset()
    return scope.unit_ids | scope.custody_unit_ids


def asker_units(user: User) -> QuerySet[Unit]:
    """The units ``user`` may name as the asking unit."""
    return Unit.objects.filter(pk__in=sorted(asker_unit_ids(user))).order_by("name")


def requests_visible_to(user: User) -> QuerySet[AdviceRequest]:
    """Return the requests ``user`` may see: the queue, their unit's, or their own."""
    requests = AdviceRequest.objects.all()
    if gives_advice(user):
        return requests.exclude(barred_persons(user.pk, timezone.localdate(), "case__person_id"))
    units = asker_unit_ids(user)
    if not units:
        return requests.none()
    coordinated = scope_for(user).coordinator_unit_ids & units
    return requests.filter(
        Q(requested_by_id=user.pk, unit_id__in=sorted(units)) | Q(unit_id__in=sorted(coordinated))
    )


def unit_requests(user: User) -> QuerySet[AdviceRequest]:
    """Return the requests of the user's own side: what their unit asked (never the queue)."""
    units = asker_unit_ids(user)
    if not units:
        return AdviceRequest.objects.none()
    coordinated = scope_for(user).coordinator_unit_ids & units
    return AdviceRequest.objects.filter(
        Q(requested_by_id=user.pk, unit_id__in=sorted(units)) | Q(unit_id__in=sorted(coordinated))
    )


def request_for(user: User, request_id: int) -> AdviceRequest:
    """Fetch a request ``user`` may see, or 404 (missing and not yours alike)."""
    found = (
        requests_visible_to(user)
        .select_related("unit", "requested_by", "assigned_to", "case")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def on_unit_side(user: User, request: AdviceRequest) -> bool:
    """Return True if ``user`` speaks for the asking unit on ``request``."""
    return unit_requests(user).filter(pk=request.pk).exists()


def may_ask_about(user: User, case: Case) -> bool:
    """Return True if ``user`` may tie a request to ``case``: they work on it (not as its mentor,
    not by breaking the glass) in a unit they ask for."""
    access = case_access(user, case)
    return access is not None and access.casework and not access.break_glass


def access_open(request: AdviceRequest, now: datetime | None = None) -> bool:
    """Return True while the advisers may see the attached parts: open and before the end."""
    moment = now or timezone.now()
    return (
        request.case_id is not None
        and request.status != AdviceStatus.CLOSED
        and request.access_until is not None
        and moment < request.access_until
    )


def shared_parts(request: AdviceRequest) -> frozenset[SharedPart]:
    """The parts the unit attached to ``request``."""
    flags = {
        SharedPart.INSTRUMENTS: request.attach_instruments,
        SharedPart.PLAN: request.attach_plan,
        SharedPart.FOLLOWUP: request.attach_followup,
        SharedPart.JOURNAL: request.journal_entries.exists(),
    }
    return frozenset(part for part, attached in flags.items() if attached)


@dataclass(frozen=True)
class AdviceAccess:
    """A request opened by an adviser during its period, and the parts they may see."""

    request: AdviceRequest
    parts: frozenset[SharedPart]


def advice_access(user: User, request: AdviceRequest) -> AdviceAccess | None:
    """Return what the adviser may see of the request's case now, or None (nothing at all)."""
    if not gives_advice(user) or not access_open(request):
        return None
    return AdviceAccess(request=request, parts=shared_parts(request))


def log_advice_access(
    *,
    user: User,
    request: AdviceRequest,
    part: str,
    http_request: HttpRequest | None = None,
    channel: str = "web",
) -> None:
    """Write the access-log record of an adviser's view of a request about a case, marked advice."""
    if request.case_id is None or not gives_advice(user):
        return
    assert request.case is not None
    log_access(
        user=user,
        part=f"advice:{part}",
        person_id=request.case.person_id,
        case_id=request.case_id,
        request=http_request,
        channel=channel,
        advice=True,
    )


def may_see_advice_on_case(access: Any) -> bool:
    """Return True if the opened case shows its advice answers: to its caseworkers and the
    national contact point, never to its mentor."""
    return bool(access.casework) and Part.JOURNAL in access.parts


def unit_request_for(user: User, advice_id: int) -> AdviceRequest:
    """Fetch a request of the user's own side (the asking unit), or 404."""
    found = unit_requests(user).filter(pk=advice_id).select_related("case").first()
    if found is None:
        raise Http404
    return found


# The page gates opening the request named by ``advice_id`` (403 for a role with none of the
# capabilities, 404 for a request the user may not see; the view is called as
# ``view(request, advice, ...)``): either side of a request (the thread, closing it); the
# advisers only (answers, notes, assignment, the attached parts); the asking unit only (its
# access period).
advice_view = object_view(
    Capability.ASK_ADVICE, "advice_id", request_for, "advice_request", (Capability.GIVE_ADVICE,)
)
adviser_view = object_view(Capability.GIVE_ADVICE, "advice_id", request_for, "advice_request")
asker_view = object_view(Capability.ASK_ADVICE, "advice_id", unit_request_for, "advice_request")
