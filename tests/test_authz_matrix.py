"""The authorisation matrix: every route and every API operation × every role of the cast.

Routes come from Django's resolver and operations from the OpenAPI schema, so a new
route is covered the moment it is added. A page route must declare its gate
(``view.vejud_policy`` from ``vejud.access.gate``) or be on the short allowlist below;
an API operation must declare ``x-vejud-policy``. The expected answer for each role is
computed here from an independent table of the intended role rules (``CAPABILITIES``,
``basis``), never by asking the gate, so a gate that drifts from the rules fails.

Rules (what the table encodes):
- anonymous: pages redirect to the login page; API operations answer 401.
- "public": every role, anonymous included, gets the page (not 403/404).
- "authenticated": every signed-in user gets it.
- "capability": 403 without the capability. If the URL names a case or person of
  unit A and the capability is casework (``CASE_SCOPED``), a role with the capability
  but no basis for that case gets 404; audit, statistics, administration and
  break-the-glass capabilities are not limited to the user's own cases.
- "case" (``case_view``): 403 for roles with neither the route's capability (for
  VIEW_CASES routes: VIEW_CASES or BREAK_GLASS) — analyst, sysadmin, nobody; then 404
  without a basis: other unit, custody staff for a liberty case or another institution,
  a mentor who is not the case's mentor, and the auditor (auditors hold BREAK_GLASS, so
  they pass the role check, but without a break-glass grant they reach no case → 404).
  A mentor reaches only the summary, identity and mentor-view parts; other parts → 404.
  The protected address part needs the user to be a named custodian (404 otherwise),
  except registering the first address (``REGISTERS_ADDRESS``).
  A case action's page or operation declares who makes it (``actors``: caseworker, unit
  decider, national decider, mentor, applicant); a role past the gate that is none of them
  on the case gets 403 from the action in every status (``acts_as``), the reason said; a
  role that is one of them may still get 409 (not in the case's state), judged as allowed.
- "transfer_receiver" (an answer to a transfer, named by ``transfer_id``): 403 without the
  capability, then 404 for everyone but the receiving unit's staff (``RECEIVERS``: the
  filler's transfer goes to unit B), as for a transfer that does not exist.
- "training_registration" (a registration named by ``registration_id``: member A's, completed):
  403 without the capability, then 404 for everyone but member A, unit A's coordinator and
  the national contact point (``TRAINING_SEES``).
- "training_teacher" (a session's attendance list, named by ``session_id``): 403 without the
  capability, then 404 for everyone but its teacher (member B) and the national contact
  point (``TEACHERS``).
- "advice_request" (an advice request named by ``advice_id``: member A's, about unit A's
  case, open): 403 for a role with none of the capabilities, then 404 for everyone but
  member A, unit A's coordinator and the national contact point (``ADVICE_SEES``).
- admin (namespace ``admin``): only the system administrator gets content; everyone
  else gets a redirect to a login page, 403, 404 or 405 — never a 200 except the admin
  login form — and no admin page, not even the sysadmin's, shows case content.
- The API additionally needs USE_API (403 without it).

"Allowed" means: no 5xx, not 401/403/404, not a redirect to a login or two-factor
page. GET comes first; a route answering GET with 405 is POST-only and is judged on
a POST with empty data.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import (
    URLPattern,
    URLResolver,
    clear_url_caches,
    get_resolver,
    include,
    path,
    reverse,
)
from django.urls.resolvers import RegexPattern

from vejud.access.gate import Policy
from vejud.access.rules import Capability, Part
from vejud.accounts.decorators import REAUTH_AT_KEY
from vejud.accounts.models import Membership, Role, UserSession
from vejud.accounts.tokens import token_create
from vejud.cases.models import Track
from vejud.cases.services import break_glass_open, journal_add, mentor_assign
from vejud.organisations.models import Agency
from vejud.people.services import protected_address_set
from vejud.testing import make_case, make_user, verified_client

# --- The cast and the intended role rules (independent of vejud.access.rules) ---------

ROLES = (
    "anonymous",
    "nobody",
    "member_a",
    "coordinator_a",
    "member_b",
    "coordinator_b",
    "adviser",
    "decision_maker",
    "head",
    "custody",
    "mentor",
    "analyst",
    "sysadmin",
    "auditor",
)
UNIT_A = frozenset({"member_a", "coordinator_a"})
UNIT_B = frozenset({"member_b", "coordinator_b"})
NATIONAL = frozenset({"adviser", "decision_maker", "head"})
CASEWORK = UNIT_A | UNIT_B | NATIONAL | {"custody"}

CAPABILITIES: dict[str, frozenset[str]] = {
    "view_cases": CASEWORK | {"mentor"},
    "write_journal": CASEWORK,
    "break_glass": UNIT_A | UNIT_B | {"custody", "auditor"},
    "manage_person_access": frozenset({"coordinator_a", "coordinator_b", "decision_maker", "head"}),
    "view_audit": frozenset({"auditor"}),
    "review_break_glass": frozenset({"auditor"}),
    "view_statistics": NATIONAL | {"analyst"},
    "administer": frozenset({"sysadmin"}),
    "use_api": CASEWORK | {"mentor", "analyst"},
    "view_grants": CASEWORK,
    "apply_grants": UNIT_A | UNIT_B | {"custody"},
    "decide_grants": frozenset({"decision_maker"}),
    "manage_pool": frozenset({"decision_maker", "head"}),
    "view_pool": NATIONAL | {"analyst"},
    "link_inquiries": frozenset({"coordinator_a", "coordinator_b", "head"}),
    "grant_case_roles": frozenset({"head", "sysadmin"}),
    "review_role_grants": frozenset({"auditor"}),
    # Training: staff working with exit cases take it; coordinators register their unit's
    # staff; the national contact point runs it; coverage also for the analyst (counts only).
    "take_training": CASEWORK | {"mentor"},
    "register_staff": frozenset({"coordinator_a", "coordinator_b"}) | NATIONAL,
    "manage_training": NATIONAL,
    "view_training_coverage": frozenset({"coordinator_a", "coordinator_b", "analyst"}) | NATIONAL,
    # A subject-access export: the coordinator of the person's unit, the national managers.
    "subject_access": frozenset({"coordinator_a", "coordinator_b", "decision_maker", "head"}),
    # A hold on a person's anonymisation: the same managers.
    "hold_records": frozenset({"coordinator_a", "coordinator_b", "decision_maker", "head"}),
    # Advice: units, DfK and institutions ask; the national contact point answers.
    "ask_advice": UNIT_A | UNIT_B | {"custody"},
    "give_advice": NATIONAL,
    # Exits outside the programme (no person data): the local units and the contact point.
    "record_own_exits": UNIT_A | UNIT_B | NATIONAL,
    # The public front door: the units answer what is sent to them; the contact point edits.
    "handle_public_inquiries": CASEWORK,
    "edit_public_texts": NATIONAL,
    # Case reviews: the contact point reviews; the local units answer theirs.
    "conduct_reviews": NATIONAL,
    "answer_reviews": UNIT_A | UNIT_B,
    "view_dashboard": UNIT_A | UNIT_B | NATIONAL | {"analyst"},
    # Anonymised case rows: those who see the cases themselves (never the analyst).
    "export_case_rows": UNIT_A | UNIT_B | NATIONAL,
}
MENTOR_PARTS = frozenset({"summary", "identity", "mentor_view"})
CASE_SCOPED = frozenset(
    {"view_cases", "write_journal", "manage_person_access", "subject_access", "hold_records"}
)
RECEIVERS = UNIT_B  # who receives the filler's transfer (``_transfer``: to unit B)
TRAINING_SEES = frozenset({"member_a", "coordinator_a"}) | NATIONAL  # member A's registration
TEACHERS = frozenset({"member_b"}) | NATIONAL  # the filler's session is taught by member B
ADVICE_SEES = frozenset({"member_a", "coordinator_a"}) | NATIONAL  # member A's advice request
PUBLIC_INQUIRY_SEES = UNIT_A  # an inquiry sent through the public form to unit A
REVIEW_SEES = NATIONAL | UNIT_A  # a review of a unit A case, sent to unit A

# Routes without a declared policy that are allowed anyway, with the reason.
ALLOWLIST = {
    "set_language": "Django's i18n view: sets a language cookie, shows nothing",
    "api:api-root": "django-ninja's root: always 404, needed to build operation URLs",
}
# Routes that register a first protected address: they need the part, not custodianship.
REGISTERS_ADDRESS = frozenset({"cases:protected_address_new"})
# Resolver routes under the API namespace that are not operations (checked as pages).
API_PAGES = frozenset({"api:openapi-json", "api:openapi-view"})

ALLOW = "allow"
LOGIN = "login"
UNAUTHORISED = 401
VARIANTS = ("liberty", "custody")


def can(role: str, capability: str) -> bool:
    """Return True if the role table gives ``role`` the capability."""
    return role in CAPABILITIES[capability]


def basis(role: str, variant: str) -> str | None:
    """Return why ``role`` reaches the unit-A case of ``variant``, or None."""
    if role in NATIONAL:
        return "national"
    if role in UNIT_A:
        return "unit"
    if role == "custody" and variant == "custody":
        return "custody"  # the custody case sits in the custody role's own institution
    if role == "mentor" and variant == "liberty":
        return "mentor"  # the mentor is assigned to the liberty case only
    return None


def acts_as(role: str, actor: str, variant: str) -> bool:
    """Return True if ``role`` makes case actions of ``actor`` (an ``Actor`` value) on the
    unit-A case of ``variant``: a case action's refusal answers 403 to anyone else."""
    why = basis(role, variant)
    if actor == "mentor":
        return why == "mentor"
    if why in (None, "mentor"):
        return False
    if actor == "unit_decider":  # the unit's coordinator; custody staff on a custody case
        return role == ("custody" if variant == "custody" else "coordinator_a")
    if actor == "national_decider":
        return role == "decision_maker"
    if actor == "applicant":
        return can(role, "apply_grants")
    assert actor == "caseworker", f"unknown actor {actor!r}"
    return can(role, "write_journal")


def is_custodian(role: str, variant: str) -> bool:
    """Return True if ``role`` is a named custodian of the variant's protected address."""
    return variant == "liberty" and role == "coordinator_a"


def expect(
    policy: dict[str, Any], role: str, *, variant: str | None, route_name: str, api: bool
) -> int | str:
    """Return the expected answer of a route/operation with ``policy`` for ``role``."""
    if role == "anonymous" and policy["kind"] != "public":
        return UNAUTHORISED if api else LOGIN
    if api and not can(role, "use_api"):
        return 403
    kind = policy["kind"]
    if kind in ("public", "authenticated"):
        return ALLOW
    capability = policy.get("capability") or "view_cases"
    part = policy.get("part") or "summary"
    if kind == "capability":
        if not can(role, capability):
            return 403
        if variant is not None and capability in CASE_SCOPED and basis(role, variant) is None:
            return 404
        return ALLOW
    if kind == "transfer_receiver":
        if not can(role, capability):
            return 403
        return ALLOW if role in RECEIVERS else 404
    if kind in ("training_registration", "training_teacher"):
        if not can(role, capability):
            return 403
        allowed = TRAINING_SEES if kind == "training_registration" else TEACHERS
        return ALLOW if role in allowed else 404
    if kind == "quality_review":
        if not any(can(role, c) for c in [capability, *policy.get("alternatives", [])]):
            return 403
        return ALLOW if role in REVIEW_SEES else 404
    if kind == "public_inquiry":
        if not can(role, capability):
            return 403
        return ALLOW if role in PUBLIC_INQUIRY_SEES else 404
    if kind == "advice_request":
        if not any(can(role, c) for c in [capability, *policy.get("alternatives", [])]):
            return 403
        return ALLOW if role in ADVICE_SEES else 404
    if kind == "case":
        if capability == "view_cases":
            if not (can(role, "view_cases") or can(role, "break_glass")):
                return 403
        elif not any(can(role, c) for c in [capability, *policy.get("alternatives", [])]):
            return 403
        why = basis(role, variant or "liberty")
        if why is None:
            return 404
        if why == "mentor" and part not in MENTOR_PARTS:
            return 404
        if (
            part == "protected_address"
            and route_name not in REGISTERS_ADDRESS
            and not is_custodian(role, variant or "liberty")
        ):
            return 404
        actors = policy.get("actors") or ()
        if actors and not any(acts_as(role, actor, variant or "liberty") for actor in actors):
            return 403  # the case action is not the role's to make, in any status
        return ALLOW
    raise AssertionError(f"unknown policy kind {kind!r}")


def test_role_table_covers_every_capability() -> None:
    """A new capability must be added to the table above (with its intended roles)."""
    assert set(CAPABILITIES) == {c.value for c in Capability}


def test_cast_matches_roles() -> None:
    from vejud.testing import CAST

    assert set(ROLES) == {*CAST, "nobody", "anonymous"}


# --- Route discovery -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str  # "sager/<str:reference>/journal/"; re_path pieces keep their regex
    name: str  # "cases:journal_add", "admin:?" when unnamed
    namespace: str
    callback: Any

    @property
    def kwargs(self) -> list[str]:
        groups = re.findall(r"\(\?P<(\w+)>", self.template)
        return groups + re.findall(r"(?<!\?P)<(?:\w+:)?(\w+)>", self.template)

    @property
    def policy(self) -> Any:
        return getattr(self.callback, "vejud_policy", None)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        piece = str(entry.pattern)
        if isinstance(entry.pattern, RegexPattern):
            piece = piece.removeprefix("^").removesuffix("$")
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry.url_patterns, prefix + piece, ns)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name or "?"]))
            yield Route(prefix + piece, name, namespace, entry.callback)


def page_routes() -> list[Route]:
    """Return every URL pattern except the API operations (those are checked by schema)."""
    routes = list(_walk(get_resolver().url_patterns))
    return [r for r in routes if r.namespace != "api" or r.name in API_PAGES | set(ALLOWLIST)]


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    from vejud.api.api import api

    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_api_route_is_an_operation_in_the_schema() -> None:
    """API URL patterns the schema does not describe would escape the matrix."""
    routes = [r for r in _walk(get_resolver().url_patterns) if r.namespace == "api"]
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for _m, path, _o in api_operations()}
    for route in routes:
        if route.name in API_PAGES or route.name in ALLOWLIST:
            continue
        assert "/" + route.template in documented, f"{route.template} is not in the OpenAPI schema"


# --- The world the matrix runs against -------------------------------------------------


@dataclass
class Matrix:
    world: Any
    cases: dict[str, Any]
    entries: dict[str, Any]
    api_tokens: dict[str, str]
    owned: dict[str, dict[str, Any]]
    group: Group
    secrets: tuple[str, ...]
    cache: dict[tuple[str, str, str], str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else self.world.users[role]

    def client(self, role: str) -> Client:
        """Return the role's signed-in client (reused until it sends a POST)."""
        if role not in self.clients:
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client = verified_client(self.user(role), client)
                session = client.session
                session[REAUTH_AT_KEY] = time.time()  # past reauth_required, to the gate
                session.save()
            self.clients[role] = client
        return self.clients[role]

    def request(self, role: str, url: str) -> tuple[str, Any]:
        """GET the URL; if GET is not allowed (405), POST empty data instead."""
        client = self.client(role)
        response = client.get(url)
        if response.status_code != 405:
            return "GET", response
        # A POST may sign the client out or end its session: start fresh next time.
        del self.clients[role]
        return "POST", client.post(url, {})


def _other_session(user: Any) -> UserSession:
    """Return a live session of ``user`` other than the one the matrix's client uses."""
    store = SessionStore()
    store.create()
    return UserSession.objects.create(user=user, session_key=str(store.session_key))


@pytest.fixture
def matrix(world: Any) -> Matrix:
    liberty = make_case(world.member_a, world.unit_a, first_name="Zelda", last_name="Quixwort")
    custody = make_case(
        world.member_a,
        world.unit_a,
        track=Track.CUSTODY,
        institution=world.prison,
        first_name="Yannick",
        last_name="Custodio",
    )
    entries = {
        "liberty": journal_add(actor=world.member_a, case=liberty, text="Liberty journal note."),
        "custody": journal_add(actor=world.member_a, case=custody, text="Custody journal note."),
    }
    mentor_assign(actor=world.coordinator_a, case=liberty, mentor=world.mentor)
    protected_address_set(
        actor=world.coordinator_a,
        person=liberty.person,
        case=liberty,
        address="Hemmelig Allé 7",
        reason="Relocated after threats.",
    )
    # A break-glass grant held by someone outside the cast, so no cast member's scope changes.
    grantee = make_user(
        "grantee@test.vejud.dk", "Grant Holder", world.unit_b, Role.UNIT_MEMBER, Agency.POLICE
    )
    grant = break_glass_open(
        actor=grantee,
        reference=liberty.reference,
        reason="Urgent threat report from the night shift.",
    )
    owned: dict[str, dict[str, Any]] = {}
    api_tokens: dict[str, str] = {}
    for role in ROLES:
        user = world.users[role] if role != "anonymous" else world.member_a
        owned[role] = {
            "token": token_create(user=user, name="matrix filler")[0],
            "session": _other_session(user),
            "membership": Membership.objects.filter(user=user).first(),
        }
        api_tokens[role] = token_create(user=user, name="matrix")[1]
    return Matrix(
        world=world,
        cases={"liberty": liberty, "custody": custody},
        entries=entries,
        api_tokens=api_tokens,
        owned=owned,
        group=Group.objects.create(name="Matrix group"),
        secrets=("Quixwort", "Custodio", "Hemmelig", "journal note", grant.reason),
    )


# --- Filling URL arguments ---------------------------------------------------------------


class MissingFiller(Exception):
    pass


def _consent(m: Matrix, role: str, variant: str) -> Any:
    from vejud.intake.models import ConsentAgency, ConsentMethod, ConsentTopic
    from vejud.intake.services import consent_record

    return consent_record(
        actor=m.world.member_a,
        case=m.cases[variant],
        given_on=m.cases[variant].opened_on,
        method=ConsentMethod.IN_PERSON,
        agencies=[ConsentAgency.POLICE],
        topics=[ConsentTopic.CRIME],
    ).pk


def _refusal(m: Matrix, variant: str) -> Any:
    """A refusal on the variant's case, written as test data inside an audit scope."""
    from vejud.audit.services import audit_record, audited
    from vejud.decisions.models import Decision, DecisionLevel, DecisionOutcome, RefusalGround

    case = m.cases[variant]
    existing = Decision.objects.filter(case=case).first()
    if existing is not None:
        return existing
    with audited():
        decision = Decision.objects.create(
            case=case,
            level=DecisionLevel.UNIT,
            outcome=DecisionOutcome.REFUSE,
            grounds=[RefusalGround.NOT_MOTIVATED],
            reasoning="Matrix test data.",
            decided_by=m.world.coordinator_a,
        )
        audit_record(actor=m.world.coordinator_a, action="test.data", obj=decision, case_id=case.pk)
    return decision


def _decision(m: Matrix, role: str, variant: str) -> Any:
    return _refusal(m, variant).pk


def _information_request(m: Matrix, role: str, variant: str) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.decisions.models import InformationRequest, Referral

    refusal = _refusal(m, variant)
    with audited():
        referral = Referral.objects.create(
            case=refusal.case,
            refusal=refusal,
            referred_by=m.world.member_a,
            due_on=timezone.localdate() + timedelta(days=30),
        )
        request = InformationRequest.objects.create(
            referral=referral, question="Matrix test data?", asked_by=m.world.decision_maker
        )
        audit_record(
            actor=m.world.decision_maker, action="test.data", obj=request, case_id=refusal.case_id
        )
    return request.pk


def _warning(m: Matrix, role: str, variant: str) -> Any:
    """An open early warning (and its review) on the variant's case, as test data."""
    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.followup.models import EarlyWarning, Review, WarningReason

    case = m.cases[variant]
    with audited():
        review = Review.objects.create(
            case=case,
            reviewed_on=timezone.localdate(),
            crime_stopped=1,
            environment_left=1,
            lifestyle_changed=1,
            custody_behaviour=1 if case.track == Track.CUSTODY else None,
            motivation_level=2,
            created_by=m.world.member_a,
        )
        warning = EarlyWarning.objects.create(
            case=case, review=review, reason=WarningReason.MOTIVATION_DROP
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=warning, case_id=case.pk)
    return warning.pk


def _case_document(m: Matrix, role: str, variant: str) -> Any:
    """A document marked for the mentor on the variant's case (a mentor may download it)."""
    from vejud.audit.services import audit_record, audited
    from vejud.casedocs.models import CaseDocument
    from vejud.core.uploads import check_upload

    case = m.cases[variant]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    checked = check_upload(filename="d.pdf", data=pdf, limit=1024, fallback="d")
    with audited():
        document = CaseDocument.objects.create(
            case=case,
            kind="report",
            title="Udtalelse",
            for_mentor=True,
            **checked.stored(),
            uploaded_by=m.world.member_a,
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=document, case_id=case.pk)
    return document.pk


def _possible_person(m: Matrix, role: str, variant: str) -> Any:
    """A pending possible-existing-person match that the role's unit decides, as test data."""
    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.intake.models import Inquiry, MatchBasis, PossibleExistingPerson

    case = m.cases[variant]
    unit = m.world.unit_b if role == "coordinator_b" else m.world.unit_a
    with audited():
        inquiry, _created = Inquiry.objects.get_or_create(
            case=case,
            defaults={
                "source": "person",
                "channel": "phone",
                "received_on": timezone.localdate(),
                "in_custody": True,
                "registered_by": m.world.member_a,
            },
        )
        match = PossibleExistingPerson.objects.create(
            inquiry=inquiry, existing_person=case.person, unit=unit, matched_on=MatchBasis.NAME
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=match, case_id=case.pk)
    return match.pk


def _role_grant(m: Matrix, role: str, variant: str) -> Any:
    """A pending request for a case-access role (asked by someone else), as test data."""
    from vejud.accounts.models import RoleGrant

    return RoleGrant.objects.create(
        user=m.world.nobody,
        unit=m.world.unit_a,
        role="unit_member",
        agency="police",
        reason="Matrix test data.",
        requested_by=m.world.member_a,
    ).pk


def _transfer(m: Matrix, role: str, variant: str) -> Any:
    """A pending transfer of the variant's case to unit B, as test data."""
    from vejud.audit.services import audit_record, audited
    from vejud.transfers.models import Transfer

    case = m.cases[variant]
    with audited():
        transfer = Transfer.objects.create(
            case=case,
            from_unit=case.responsible_unit,
            from_track=case.track,
            from_institution=case.institution,
            to_unit=m.world.unit_b,
            to_track=Track.LIBERTY,
            handover_note="Matrix test data.",
            requested_by=m.world.member_a,
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=transfer, case_id=case.pk)
    return transfer.pk


def _course_goal(m: Matrix, variant: str) -> Any:
    """A plan goal on the variant's case, written as test data inside an audit scope."""
    from vejud.audit.services import audit_record, audited
    from vejud.courses.models import PlanGoal

    case = m.cases[variant]
    existing = PlanGoal.objects.filter(case=case).first()
    if existing is not None:
        return existing
    with audited():
        goal = PlanGoal.objects.create(
            case=case, life_area="housing", goal="Matrix test data.", created_by=m.world.member_a
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=goal, case_id=case.pk)
    return goal


def _course_action(m: Matrix, role: str, variant: str) -> Any:
    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.courses.models import PlanAction

    goal = _course_goal(m, variant)
    with audited():
        action = PlanAction.objects.create(
            goal=goal,
            case=goal.case,
            description="Matrix test data.",
            owner_agency="police",
            deadline=timezone.localdate(),
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=action, case_id=goal.case_id)
    return action.pk


def _course_offer(m: Matrix, role: str, variant: str) -> Any:
    from vejud.audit.services import audit_record, audited
    from vejud.courses.models import CaseOffer
    from vejud.offers.models import OfferType

    case = m.cases[variant]
    with audited():
        offer = CaseOffer.objects.create(
            case=case,
            offer_type=OfferType.objects.order_by("pk")[0],
            created_by=m.world.member_a,
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=offer, case_id=case.pk)
    return offer.pk


def _mentor_meeting(m: Matrix, role: str, variant: str) -> Any:
    """A flagged meeting; on the custody case its mentor is outside the cast (no scope changes)."""
    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.cases.models import MentorAssignment
    from vejud.courses.models import MentorMeeting

    case = m.cases[variant]
    with audited():
        assignment = MentorAssignment.objects.filter(case=case).first()
        if assignment is None:
            outsider = make_user(
                f"matrix-mentor-{variant}@test.vejud.dk",
                "Matrix Mentor",
                m.world.unit_a,
                Role.MENTOR,
            )
            assignment = MentorAssignment.objects.create(case=case, mentor=outsider)
        meeting = MentorMeeting.objects.create(
            assignment=assignment,
            case=case,
            met_on=timezone.localdate(),
            form="phone",
            duration_minutes=10,
            needs_attention=True,
            created_by=assignment.mentor,
        )
        audit_record(actor=assignment.mentor, action="test.data", obj=meeting, case_id=case.pk)
    return meeting.pk


def _pool_year(m: Matrix) -> Any:
    """This year's budget year with guidelines for every category (made once per matrix)."""
    from django.utils import timezone

    from vejud.pool.models import BudgetYear
    from vejud.testing.pool import make_pool

    existing = BudgetYear.objects.filter(year=timezone.localdate().year).first()
    return existing if existing is not None else make_pool(m.world)


def _pool_application(m: Matrix, variant: str) -> Any:
    """An application awaiting decision on the variant's case, as test data (the matrix's
    cases are inquiries, where the service takes no applications)."""
    from django.utils import timezone

    from vejud.audit.services import audit_record, audited
    from vejud.pool.models import Application, Category
    from vejud.pool.services import guideline_in_force

    case = m.cases[variant]
    existing = Application.objects.filter(case=case).first()
    if existing is not None:
        return existing
    year = _pool_year(m)
    today = timezone.localdate()
    with audited():
        application = Application.objects.create(
            case=case,
            applying_unit=case.responsible_unit,
            budget_year=year,
            category=Category.TATTOO_REMOVAL,
            guideline=guideline_in_force(Category.TATTOO_REMOVAL),
            amount_ore=1_000_000,
            purpose="Matrix test data.",
            supplier="Matrix Klinik ApS",
            period_from=today,
            period_to=today,
            submitted_by=m.world.member_a,
        )
        audit_record(actor=m.world.member_a, action="test.data", obj=application, case_id=case.pk)
    return application


def _pool_attachment(m: Matrix, role: str, variant: str) -> Any:
    """A PDF on the variant's application, stored encrypted as the service stores it."""
    import hashlib

    from vejud.audit.services import audit_record, audited
    from vejud.core.crypto import fernet
    from vejud.pool.models import Attachment

    application = _pool_application(m, variant)
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with audited():
        attachment = Attachment.objects.create(
            application=application,
            kind="quote",
            filename="quote.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=fernet().encrypt(data),
            uploaded_by=m.world.member_a,
        )
        audit_record(
            actor=m.world.member_a,
            action="test.data",
            obj=attachment,
            case_id=application.case_id,
        )
    return attachment.pk


def _training(m: Matrix) -> tuple[Any, Any]:
    """A session taught by member B, and member A's registration for it, completed (made once)."""
    if "training" not in m.made:
        from vejud.testing.training import make_course, make_session
        from vejud.training.services import check_in, register

        session = make_session(
            m.world, make_course(m.world), capacity=30, teachers=[m.world.member_b]
        )
        registration = register(actor=m.world.member_a, session=session)
        day = session.days.get()
        check_in(actor=m.world.adviser, registration=registration, day=day, now=day.starts_at)
        m.made["training"] = (session, registration)
    return m.made["training"]


def _subject_access_export(m: Matrix, role: str, variant: str) -> Any:
    """An export of the variant's person, produced by unit A's coordinator."""
    from vejud.privacy.services import subject_access_export_create

    return subject_access_export_create(
        actor=m.world.coordinator_a, person=m.cases[variant].person, withheld={}
    )


def _retention_hold(m: Matrix, role: str, variant: str) -> Any:
    """A hold on the variant's person, set by unit A's coordinator."""
    from vejud.privacy.services import retention_hold_set

    return retention_hold_set(
        actor=m.world.coordinator_a,
        person=m.cases[variant].person,
        kind="archive",
        reason="Archive duty.",
    )


def _own_export(m: Matrix, role: str, variant: str) -> Any:
    """A finished dashboard export of the role's own (the national head's for a role that
    makes none: its answer is the gate's 403 before the export is looked at)."""
    from vejud.access.exports import export_kinds
    from vejud.exports.services import export_build, export_request
    from vejud.statistics.dashboard import default_period

    user = m.world.users[role] if role != "anonymous" else m.world.head
    requester = user if export_kinds(user) else m.world.head
    selection = {"period": default_period().value, "unit": "", "track": ""}
    export = export_request(actor=requester, kind="dashboard", fmt="csv", selection=selection)
    export_build(export_id=export.pk)  # (already built where the test's worker ran on commit)
    return type(export).objects.get(pk=export.pk)


def _case_review(m: Matrix) -> Any:
    """A review of unit A's liberty case, sent to unit A (made once)."""
    if "review" not in m.made:
        from vejud.testing.quality import make_round, send_review

        opened = m.cases["liberty"].opened_on
        round_ = make_round(
            m.world.head, [m.world.unit_a], title="Matrix round", start=opened, end=opened
        )
        review = round_.reviews.get(case=m.cases["liberty"])
        m.made["review"] = send_review(m.world.head, review, findings="Fine.")
    return m.made["review"]


def _public_inquiry(m: Matrix) -> Any:
    """An inquiry sent through the public form to unit A (as test data, fresh per use: a
    role's answer may close it)."""
    from vejud.frontdoor.services import public_inquiry_submit
    from vejud.organisations.models import Municipality

    municipality, _created = Municipality.objects.get_or_create(
        name="Matrix Kommune", police_district=m.world.unit_a.police_district
    )
    return public_inquiry_submit(
        sender="self",
        called="Kim",
        phone="1",
        whereabouts="municipality",
        municipality=municipality,
    )


def _advice_request(m: Matrix) -> Any:
    """Member A's open request about unit A's liberty case, with the instruments attached."""
    if "advice" not in m.made:
        from vejud.advice.services import advice_request_create

        m.made["advice"] = advice_request_create(
            actor=m.world.member_a,
            unit=m.world.unit_a,
            topic="motivation",
            question="Is the motivation sufficient?",
            case=m.cases["liberty"],
            attach_instruments=True,
        )
    return m.made["advice"]


# URL arguments other than reference/public_id, by name or by "route name:argument":
# a real object of the right model (the requester's own where the route acts on the
# user's own things). Extend when a route with a new argument appears.
FILLERS: dict[str, Callable[[Matrix, str, str], Any]] = {
    "entry_id": lambda m, role, v: m.entries[v].pk,
    "accounts:token_revoke:pk": lambda m, role, v: m.owned[role]["token"].pk,
    "accounts:session_end:pk": lambda m, role, v: m.owned[role]["session"].pk,
    # Single sign-on: no provider is configured here, so both answer 400 (never 403/404).
    "accounts:sso_start:name": lambda m, role, v: "test",
    "accounts:sso_callback:name": lambda m, role, v: "test",
    "accounts:sso_backchannel_logout:name": lambda m, role, v: "test",
    "accounts:invitation:token": lambda m, role, v: "no-such-invitation",
    "consent_id": _consent,
    "decision_id": _decision,
    "request_id": _information_request,
    "goal_id": lambda m, role, v: _course_goal(m, v).pk,
    "action_id": _course_action,
    "offer_id": _course_offer,
    "meeting_id": _mentor_meeting,
    "warning_id": _warning,
    "document_id": _case_document,
    "transfer_id": _transfer,
    "intake:possible_person_decide:match_id": _possible_person,
    "accounts:role_grant_decide:grant_id": _role_grant,
    "application_id": lambda m, role, v: _pool_application(m, v).pk,
    "attachment_id": _pool_attachment,
    "year": lambda m, role, v: _pool_year(m).year,
    "session_id": lambda m, role, v: _training(m)[0].pk,
    "registration_id": lambda m, role, v: _training(m)[1].pk,
    "export_id": lambda m, role, v: _subject_access_export(m, role, v).pk,
    "privacy:subject_access_download:fmt": lambda m, role, v: "json",
    "hold_id": lambda m, role, v: _retention_hold(m, role, v).pk,
    "advice_id": lambda m, role, v: _advice_request(m).pk,
    "code": lambda m, role, v: _public_inquiry(m).code,
    "exports:detail:pk": lambda m, role, v: _own_export(m, role, v).pk,
    "exports:file:pk": lambda m, role, v: _own_export(m, role, v).pk,
    "statistics_export_id": lambda m, role, v: _own_export(m, role, v).pk,
    "round_id": lambda m, role, v: _case_review(m).round_id,
    "review_id": lambda m, role, v: _case_review(m).pk,
    "frontdoor:text_edit:key": lambda m, role, v: "contact",
    "frontdoor:text_edit:language": lambda m, role, v: "da",
    "assessments:edit:kind": lambda m, role, v: "target_group",
    "assessments:sign:kind": lambda m, role, v: "target_group",
    "assessments:correct:kind": lambda m, role, v: "target_group",
    "assessment_versions:kind": lambda m, role, v: "target_group",
    "assessment_sign:kind": lambda m, role, v: "target_group",
    "assessment_correct:kind": lambda m, role, v: "target_group",
}
# Placeholders for arguments without a filler: the gate's answer for denied roles does not
# depend on the object, so those are still checked; allowed roles are reported as unchecked.
PLACEHOLDERS = {
    "int": "999999",
    "str": "missing",
    "slug": "missing",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "missing",
}


def fill(route: Route, name: str, m: Matrix, role: str, variant: str) -> str:
    """Return a real value for the URL argument ``name`` of ``route``."""
    case = m.cases[variant]
    if name == "reference":
        return case.reference
    if name == "public_id":
        return str(case.person.public_id)
    for key in (f"{route.name}:{name}", name):
        if key in FILLERS:
            per_role = key.startswith(
                ("accounts:", "intake:possible_person_decide:", "exports:", "statistics_export")
            )
            cache_key = (key, role if per_role else "", variant)
            if cache_key not in m.cache:
                m.cache[cache_key] = str(FILLERS[key](m, role, variant))
            return m.cache[cache_key]
    if route.namespace == "admin":
        return _admin_fill(route, name, m)
    raise MissingFiller(f"{route.name}: no filler for URL argument {name!r} (add it to FILLERS)")


def _admin_fill(route: Route, name: str, m: Matrix) -> str:
    if name == "content_type_id":
        return str(ContentType.objects.get_for_model(Group).pk)
    if name == "app_label":
        match = re.search(r"\(\?P<app_label>([^)]*)\)", route.template)
        return match.group(1).split("|")[0] if match else "auth"
    if name == "url":
        return "no-such-admin-page/"
    if route.name == "admin:view_on_site" and name == "object_id":
        return str(m.group.pk)
    segments = route.template.split("/")
    try:
        model = apps.get_model(segments[1], segments[2])
    except (LookupError, ValueError, IndexError):
        return "1"
    first = model._default_manager.order_by("pk").first()
    return str(first.pk) if first is not None else "999999"


def build_url(route: Route, m: Matrix, role: str, variant: str) -> tuple[str, list[str]]:
    """Return the URL with its arguments filled, and the reasons of any placeholders used."""
    missing: list[str] = []

    def sub(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        try:
            return fill(route, name, m, role, variant)
        except MissingFiller as exc:
            missing.append(str(exc))
            return PLACEHOLDERS.get(converter, "missing")

    # Regex groups first (``(?P<name>...)``), then path converters (``<int:name>``).
    path = re.sub(r"\(\?P<()(\w+)>[^)]*\)", sub, route.template)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, path)
    return "/" + path, missing


# --- Judging answers ---------------------------------------------------------------------


def _login_paths() -> tuple[str, ...]:
    return (
        resolve_url(settings.LOGIN_URL),
        reverse("accounts:otp_verify"),
        reverse("accounts:otp_setup"),
    )


def _is_login_redirect(response: Any) -> bool:
    """Return True for a redirect sending the user to sign in (or pass 2FA) to reach the page.

    Those carry ``next``; a plain redirect to the login page (after logging out) does not.
    """
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlsplit(response["Location"])
    return location.path.startswith(_login_paths()) and "next=" in location.query


def judge(expected: int | str, response: Any, *, api: bool) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if expected == LOGIN:
        return _is_login_redirect(response) and urlsplit(response["Location"]).path.startswith(
            resolve_url(settings.LOGIN_URL)
        )
    if expected == ALLOW:
        if api and response.request["REQUEST_METHOD"] == "GET":
            return status == 200
        return status not in (401, 403, 404) and not _is_login_redirect(response)
    return status == expected


def _leaks(response: Any, m: Matrix) -> list[str]:
    body = getattr(response, "content", b"").decode(errors="replace")
    return [s for s in m.secrets if s in body]


# The central pool never shows a person's data: its API names a case by reference only and
# its overview holds aggregates, so even allowed answers are checked for every secret; its
# pages may name the person on a case's own page, but never show the protected address.
PROTECTED_ADDRESS = "Hemmelig"


def is_pool_operation(path: str) -> bool:
    return path.startswith("/api/v1/pool/") or "/grants" in path


def with_pool_data(m: Matrix) -> None:
    """Put an application (with the person's protected address on file) in every list."""
    for variant in VARIANTS:
        _pool_application(m, variant)


# --- The page matrix ---------------------------------------------------------------------


def _route_id(route: Route) -> str:
    return f"{route.name} /{route.template}"


PAGE_ROUTES = page_routes()


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=_route_id)
def test_page_route(route: Route, matrix: Matrix) -> None:
    if route.namespace == "admin":
        _check_admin_route(route, matrix)
    elif route.name in ALLOWLIST:
        _check_allowlisted(route, matrix)
    else:
        failures = route_failures(route, matrix)
        assert not failures, f"{_route_id(route)}\n" + "\n".join(failures)


def route_failures(route: Route, matrix: Matrix) -> list[str]:
    """Return how the answers of ``route`` differ from the role table (empty when they agree)."""
    policy = route.policy
    if policy is None:
        return [
            "declares no gate: wrap its view in public, authenticated, requires(...) or "
            "case_view(...) from vejud.access.gate"
        ]
    spec = {
        "kind": policy.kind,
        "capability": policy.capability.value if policy.capability else None,
        "part": policy.part.value if policy.part else None,
        "alternatives": [c.value for c in policy.alternatives],
        "actors": list(policy.actors),
    }
    names_object = bool({"reference", "public_id"} & set(route.kwargs))
    variants: tuple[str | None, ...] = VARIANTS if names_object else (None,)
    failures: list[str] = []
    unchecked: set[str] = set()
    pool = route.namespace == "pool"
    if pool:
        with_pool_data(matrix)
    for variant in variants:
        for role in ROLES:
            expected = expect(spec, role, variant=variant, route_name=route.name, api=False)
            url, missing = build_url(route, matrix, role, variant or "liberty")
            if missing and expected == ALLOW:
                unchecked.update(missing)
                continue
            method, response = matrix.request(role, url)
            ok = judge(expected, response, api=False)
            leaked = _leaks(response, matrix)
            if expected == ALLOW:
                leaked = [s for s in leaked if pool and s == PROTECTED_ADDRESS]
            if not ok or leaked:
                failures.append(
                    f"{role:15} {variant or '-':8} {method} {url}: expected {expected}, "
                    f"got {response.status_code} {response.get('Location', '')}"
                    + (f" LEAKED {leaked}" if leaked else "")
                )
    failures.extend(f"allowed roles not checked: {reason}" for reason in sorted(unchecked))
    return [f"policy {spec}", *failures] if failures else []


def _check_allowlisted(route: Route, m: Matrix) -> None:
    failures = []
    for role in ROLES:
        url, _missing = build_url(route, m, role, "liberty")
        method, response = m.request(role, url)
        wanted_404 = route.name == "api:api-root"
        if response.status_code >= 500 or (wanted_404 and response.status_code != 404):
            failures.append(f"{role}: {method} {url} → {response.status_code}")
    assert not failures, "\n".join(failures)


def _check_admin_route(route: Route, m: Matrix) -> None:
    failures = []
    for role in ROLES:
        url, _missing = build_url(route, m, role, "liberty")
        method, response = m.request(role, url)
        status = response.status_code
        leaked = _leaks(response, m)
        if status >= 500 or leaked:
            failures.append(f"{role}: {method} {url} → {status} leaked={leaked}")
            continue
        if role == "sysadmin":
            if route.name == "admin:index" and status != 200:
                failures.append(f"sysadmin: {url} → {status}, expected the admin index")
            continue
        if status == 200 and route.name == "admin:login":
            continue  # the admin login form itself; it shows nothing
        denied = status in (403, 404, 405) or (
            status == 302
            and urlsplit(response["Location"]).path.startswith(
                (*_login_paths(), reverse("admin:login"))
            )
        )
        if not denied:
            failures.append(
                f"{role}: {method} {url} → {status} {response.get('Location', '')}, "
                "expected a redirect to login, 403, 404 or 405"
            )
    assert not failures, f"{_route_id(route)}\n" + "\n".join(failures)


# --- The API matrix ----------------------------------------------------------------------

API_OPERATIONS = api_operations()


@pytest.mark.parametrize(
    ("method", "path", "operation"), API_OPERATIONS, ids=[f"{m} {p}" for m, p, _o in API_OPERATIONS]
)
def test_api_operation(method: str, path: str, operation: dict[str, Any], matrix: Matrix) -> None:
    from vejud.api.auth import POLICY_KEY

    policy = operation.get(POLICY_KEY)
    assert policy, f"{method} {path} declares no {POLICY_KEY} (use vejud.api.auth.api_policy)"
    params = re.findall(r"\{(\w+)\}", path)
    names_object = bool({"reference", "public_id"} & set(params))
    variants: tuple[str | None, ...] = VARIANTS if names_object else (None,)
    route = Route(path.lstrip("/"), operation.get("operationId", path), "api", None)
    failures = []
    pool = is_pool_operation(path)
    if pool:
        with_pool_data(matrix)
    for variant in variants:
        for role in ROLES:
            expected = expect(policy, role, variant=variant, route_name=route.name, api=True)
            values = {p: fill(route, p, matrix, role, variant or "liberty") for p in params}
            url = path.format(**values)
            headers = (
                {}
                if role == "anonymous"
                else {"Authorization": f"Bearer {matrix.api_tokens[role]}"}
            )
            client = Client(raise_request_exception=False)
            call = getattr(client, method.lower())
            response = (
                call(url, headers=headers)
                if method == "GET"
                else call(url, {}, content_type="application/json", headers=headers)
            )
            ok = judge(expected, response, api=True)
            leaked = _leaks(response, matrix) if expected != ALLOW or pool else []
            if not ok or leaked:
                failures.append(
                    f"{role:15} {variant or '-':8} {method} {url}: expected {expected}, "
                    f"got {response.status_code}" + (f" LEAKED {leaked}" if leaked else "")
                )
    assert not failures, f"{method} {path} {policy}\n" + "\n".join(failures)


# --- The matrix catches what it is meant to catch ----------------------------------------


def _leaky_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Declare the case gate but apply none: shows the person to anyone signed in."""
    return HttpResponse("Zelda Quixwort")


_leaky_view.vejud_policy = Policy(  # type: ignore[attr-defined]
    "case", capability=Capability.VIEW_CASES, part=Part.SUMMARY
)


def _undeclared_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("no gate declared")


urlpatterns = [
    path("matrix-selftest/<str:reference>/", _leaky_view, name="matrix_leaky"),
    path("matrix-selftest/", _undeclared_view, name="matrix_undeclared"),
    path("", include("vejud.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_matrix_fails_a_route_whose_gate_is_declared_but_missing(matrix: Matrix) -> None:
    clear_url_caches()
    try:
        route = next(r for r in page_routes() if r.name == "matrix_leaky")
        report = "\n".join(route_failures(route, matrix))
    finally:
        clear_url_caches()
    for role in ("member_b", "coordinator_b", "analyst", "sysadmin", "auditor", "nobody"):
        assert f"{role} " in report
    assert "LEAKED ['Quixwort']" in report
    assert "member_a " not in report  # allowed roles agree with the table


@override_settings(ROOT_URLCONF=__name__)
def test_matrix_fails_a_route_without_declared_gate(matrix: Matrix) -> None:
    clear_url_caches()
    try:
        route = next(r for r in page_routes() if r.name == "matrix_undeclared")
        assert route_failures(route, matrix) == [
            "declares no gate: wrap its view in public, authenticated, requires(...) or "
            "case_view(...) from vejud.access.gate"
        ]
    finally:
        clear_url_caches()
