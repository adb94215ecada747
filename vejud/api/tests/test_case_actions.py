"""Every declared case action has a page and an API operation, and they agree on "possible".

The actions come from the per-app tables (``<app>/actions.py``, ``vejud.actions.REGISTRY``).
For every status of the case state table and several users, the action's page, its API
operation and (where it offers the action) the process panel give the table's answer.
A new action needs a valid API body here (and a target, if it has one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

import vejud.api.api  # noqa: F401  (its routers register the operations)
from vejud.access.rules import has_capability
from vejud.accounts.models import User
from vejud.actions.declare import NOT_NOW, NOT_YOURS, REGISTRY, CaseAction
from vejud.api.operations import OPERATIONS
from vejud.api.tests.process_support import JsonApi, case_url, consent_body
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.audit.models import AuditEvent
from vejud.audit.services import audit_record, audited
from vejud.casedocs.models import CaseDocument
from vejud.cases.models import Case, CaseStatus, MentorAssignment
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.courses.models import CaseOffer, MentorMeeting, PlanAction, PlanGoal
from vejud.decisions.models import InformationRequest
from vejud.decisions.selectors import PANEL_ACTIONS
from vejud.decisions.services import information_request_create
from vejud.followup.models import EarlyWarning, Review, WarningReason
from vejud.intake.models import Consent
from vejud.organisations.models import Unit
from vejud.testing import make_admitted_case, verified_client
from vejud.testing.builders import add_plan, log_flagged_meeting, make_referred_case
from vejud.transfers.models import ReleasePlan, Transfer

USERS = ("member_a", "coordinator_a", "decision_maker", "adviser")
# Who reads the unit-A case by breaking the glass (unit B's staff): to read, never to act.
GLASS_READERS = ("member_b", "coordinator_b")
# Who else asks, for an action only they take (the meeting log: the case's mentor).
ALSO_USERS: dict[str, tuple[str, ...]] = {"meeting_log": ("mentor",)}

# A body each action's schema accepts (the service may still refuse it: that is not "possible").
BODIES: dict[str, Callable[[Case], dict[str, Any]]] = {
    "transition": lambda c: {"target": "withdrawn", "reason": "x", "expected_version": c.version},
    "decide": lambda c: {"outcome": "admit", "reasoning": "x", "expected_version": c.version},
    "refer": lambda c: {"expected_version": c.version},
    "final_decide": lambda c: {
        "outcome": "uphold",
        "reasoning": "x",
        "expected_version": c.version,
    },
    "ask_information": lambda c: {"question": "Why?"},
    "document_add": lambda c: {"title": "Udtalelse", "kind": "report"},
    "document_remove": lambda c: {"reason": "Forkert sag"},
    "answer_information": lambda c: {"answer": "Because."},
    "consent": lambda c: consent_body(),
    "consent_withdraw": lambda c: {"withdrawn_on": c.opened_on.isoformat(), "note": "x"},
    "warning_resolve": lambda c: {"note": "Talked to him."},
    "review_record": lambda c: {
        "reviewed_on": c.opened_on.isoformat(),
        "crime_stopped": 1,
        "environment_left": 1,
        "lifestyle_changed": 1,
        "motivation_level": 3,
    },
    "agreement_save": lambda c: {
        "parties": ["person", "police", "municipality"],
        "starts_on": c.opened_on.isoformat(),
    },
    "goal_add": lambda c: {"life_area": "housing", "goal": "A home."},
    "goal_update": lambda c: {"life_area": "economy", "goal": "No debt."},
    "goal_remove": lambda c: {},
    "action_add": lambda c: {
        "description": "Find a flat.",
        "owner_agency": "police",
        "deadline": c.opened_on.isoformat(),
    },
    "action_update": lambda c: {"outcome": "Done."},
    "offer_add": lambda c: {"offer_type": "therapy"},
    "offer_update": lambda c: {"result": "Went well."},
    "mentor_assign": lambda c: {"mentor": "someone@example.org"},
    "meeting_log": lambda c: {
        "met_on": timezone.localdate().isoformat(),
        "form": "phone",
        "duration_minutes": 10,
    },
    "meeting_resolve": lambda c: {"note": "Called him."},
    "course_close": lambda c: {
        "reason": "completed",
        "summary": "Done.",
        "expected_version": c.version,
    },
    "course_reopen": lambda c: {},
    "target_group_draft": lambda c: {"reasoning": "Within."},
    "motivation_draft": lambda c: {"level": 3},
    "suitability_draft": lambda c: {"reasoning": "Suitable."},
    "grant_apply": lambda c: {
        "category": "tattoo_removal",
        "amount_ore": 100_000,
        "purpose": "Removal of a gang tattoo.",
        "supplier": "Klinik ApS",
        "period_from": timezone.localdate().isoformat(),
        "period_to": timezone.localdate().isoformat(),
    },
    "gang_affiliation": lambda c: {"role": "", "attachment": "member"},
    "assessment_sign": lambda c: {},
    "assessment_correct": lambda c: {"reason": "A wrong rating."},
    "transfer_request": lambda c: {"to_unit": "test-unit-b", "handover_note": "Moves."},
    "transfer_cancel": lambda c: {},
    "release_date_set": lambda c: {"release_on": c.opened_on.isoformat()},
    "release_plan_update": lambda c: {"note": "Flat in Odense."},
    "release_transfer": lambda c: {"handover_note": "Released on the date."},
    "outcome_record": lambda c: {"months": 6, "reregistered": "no", "new_charges": "unknown"},
}
# What the case needs besides for an action without a target (a draft: one in progress, as
# the referred case's instruments are signed).
SETUP: dict[str, Callable[[Case], Any]] = {
    "target_group_draft": lambda c: _instrument(c, TargetGroupAssessment, signed=False),
    "motivation_draft": lambda c: _instrument(c, MotivationAssessment, signed=False),
    "suitability_draft": lambda c: _instrument(c, SuitabilityAssessment, signed=False),
}
# The object of the case an action with a target works on (its id, or its kind).
TARGETS: dict[str, Callable[[Case], int | str]] = {
    "answer_information": lambda c: InformationRequest.objects.get(referral__case=c).pk,
    "consent_withdraw": lambda c: Consent.objects.filter(case=c).earliest("id").pk,
    "warning_resolve": lambda c: _warning(c).pk,
    "action_add": lambda c: PlanGoal.objects.filter(case=c).earliest("id").pk,
    "goal_update": lambda c: PlanGoal.objects.filter(case=c).earliest("id").pk,
    "goal_remove": lambda c: _goal_without_actions(c).pk,
    "action_update": lambda c: PlanAction.objects.filter(case=c).earliest("id").pk,
    "offer_update": lambda c: CaseOffer.objects.filter(case=c).earliest("id").pk,
    "meeting_resolve": lambda c: MentorMeeting.objects.filter(case=c).earliest("id").pk,
    "assessment_sign": lambda c: _instrument(c, SuitabilityAssessment, signed=False),
    "assessment_correct": lambda c: _instrument(c, MotivationAssessment, signed=True),
    "transfer_cancel": lambda c: _pending_transfer(c).pk,
    "document_remove": lambda c: _document(c).pk,
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _document(case: Case) -> CaseDocument:
    with audited():
        document = CaseDocument.objects.create(
            case=case,
            kind="report",
            title="Udtalelse",
            filename="u.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            content=b"",
            uploaded_by=User.objects.order_by("pk")[0],
        )
        audit_record(actor=None, action="test.document", obj=document, case_id=case.pk)
    return document


def _instrument(case: Case, model: Any, *, signed: bool) -> str:
    """The kind of an instrument with a signed version on ``case`` (the referred case has
    them) and, unless ``signed``, a draft correcting it (empty, so it cannot be signed)."""
    latest = model.objects.filter(case=case).latest("version")
    assert latest.signed_at is not None
    if not signed:
        same = (
            {"criteria_version": latest.criteria_version} if model is TargetGroupAssessment else {}
        )
        with audited():
            draft = model.objects.create(
                case=case,
                version=latest.version + 1,
                supersedes=latest,
                created_by=latest.created_by,
                **same,
            )
            audit_record(actor=None, action="test.instrument", obj=draft, case_id=case.pk)
    return str(model.kind)


def _pending_transfer(case: Case) -> Transfer:
    """A transfer of ``case`` to another unit awaiting its answer (written directly)."""
    with audited():
        transfer = Transfer.objects.create(
            case=case,
            from_unit=case.responsible_unit,
            from_track=case.track,
            to_unit=Unit.objects.exclude(pk=case.responsible_unit_id).earliest("id"),
            to_track=case.track,
            handover_note="Moves.",
            requested_by=User.objects.filter(is_active=True).earliest("id"),
        )
        audit_record(actor=None, action="test.transfer", obj=transfer, case_id=case.pk)
    return transfer


def _goal_without_actions(case: Case) -> PlanGoal:
    """A goal on ``case`` with no action (one that can be removed; written directly)."""
    with audited():
        goal = PlanGoal.objects.create(
            case=case,
            life_area="leisure",
            goal="A hobby.",
            created_by=User.objects.filter(is_active=True).earliest("id"),
        )
        audit_record(actor=None, action="test.goal", obj=goal, case_id=case.pk)
    return goal


def _warning(case: Case) -> EarlyWarning:
    """An open early warning on ``case`` (raised by a review, written directly)."""
    with audited():
        review = Review.objects.create(
            case=case,
            reviewed_on=case.opened_on,
            crime_stopped=1,
            environment_left=1,
            lifestyle_changed=1,
            motivation_level=3,
            created_by=User.objects.filter(is_active=True).earliest("id"),
        )
        warning = EarlyWarning.objects.create(
            case=case, review=review, reason=WarningReason.RISK_EVENT
        )
        audit_record(actor=None, action="test.warning", obj=warning, case_id=case.pk)
    return warning


def _case_with_everything(world: Any) -> Case:
    """A referred case with a question asked, a course's plan, offer and flagged meeting, and
    a release plan (the targets of every action; the test then moves it through every
    status)."""
    course = make_admitted_case(world, last_name="Course")
    mentor_assign(actor=world.coordinator_a, case=course, mentor=world.mentor)
    add_plan(world, course)
    log_flagged_meeting(world, course)
    case = make_referred_case(world)
    information_request_create(actor=world.decision_maker, case=case, question="Why?")
    with audited():
        for model in (PlanGoal, PlanAction, CaseOffer, MentorMeeting, MentorAssignment):
            model.objects.filter(case=course).update(case=case)
        audit_record(actor=None, action="test.move", obj=case, case_id=case.pk)
        plan = ReleasePlan.objects.create(case=case, release_on=case.opened_on)
        audit_record(actor=None, action="test.plan", obj=plan, case_id=case.pk)
    return Case.objects.get(pk=case.pk)


def test_every_action_has_a_page_and_an_operation():
    assert {"transition", "decide", "refer", "final_decide"} <= set(REGISTRY)
    for name, action in REGISTRY.items():
        kwargs: dict[str, Any] = {"reference": "EX-2026-00001", **dict(action.url_kwargs)}
        if action.target:
            kwargs[action.target.param] = 1
        view = resolve(reverse(action.view_name, kwargs=kwargs)).func
        policy = view.vejud_policy
        # The action's own page declares who makes it (an app's page serving more than the
        # action, e.g. the mentor's view, leaves the refusal to the action).
        own = view.__module__ == "vejud.actions.pages"
        assert (policy.kind, policy.part, policy.capability, policy.actors) == (
            "case",
            action.part,
            action.capability,
            tuple(sorted(action.actors)) if own else (),
        ), name
        assert name in OPERATIONS, f"{name} has no API operation"
        assert OPERATIONS[name].action is action


def test_every_operation_is_in_the_schema(world):
    schema = JsonApi(world.member_a).get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert {op.operation_id for op in OPERATIONS.values()} <= ids


def _page(client: Any, action: CaseAction, url: str) -> int:
    """Return 200 if the page offers the action (its form, or a redirect: done, e.g. a draft
    saved with nothing filled in or a POST-only action with nothing to fill in, or sent back
    with the service's reason, e.g. applying on a case in a status that takes no
    applications), else its refusal's status. Whatever it did is rolled back."""
    with transaction.atomic():
        response = client.get(url) if "GET" in action.methods else client.post(url, {})
        transaction.set_rollback(True)
    assert response.status_code in (200, 302, 403, 409), (url, response.status_code)
    return 200 if response.status_code == 302 else int(response.status_code)


def _api(
    client: JsonApi, method: str, url: str, body: dict[str, Any], role: bool, multipart: bool
) -> int:
    """Return 200 unless the operation refuses the action as not possible (then its status),
    or its gate the user's role (``role`` False: 403); whatever it did is rolled back. A
    multipart action gets its body as form fields and a PDF as ``file``."""
    with transaction.atomic():
        if multipart:
            form = {**body, "file": SimpleUploadedFile("d.pdf", PDF)}
            response = client.client.post(url, form, headers=client.headers)
        else:
            response = client.client.generic(
                method,
                url,
                json.dumps(body),
                content_type="application/json",
                headers=client.headers,
            )
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, response.status_code)
    if not role:
        return int(response.status_code)
    detail = response.json().get("detail") if response.status_code in (403, 409) else None
    if detail == str(NOT_NOW) or (isinstance(detail, str) and detail.startswith(str(NOT_YOURS))):
        return int(response.status_code)
    return 200


def _prepared(world: Any, name: str) -> tuple[Any, Case, dict[str, Any], str, str]:
    """The action, a case with everything on it (and the action's own setup), the page's URL
    arguments, the API operation's path below the case, and the page's URL."""
    action = REGISTRY[name]
    case = _case_with_everything(world)
    kwargs: dict[str, Any] = {"reference": case.reference, **dict(action.url_kwargs)}
    if name in SETUP:
        SETUP[name](case)
    tail = OPERATIONS[name].path
    if action.target:
        pk = TARGETS[name](case)
        kwargs[action.target.param] = pk
        tail = tail.replace(f"{{{action.target.param}}}", str(pk))
    return action, case, kwargs, tail, reverse(action.view_name, kwargs=kwargs)


def _set_status(case: Case, status: str) -> Case:
    """Put ``case`` in ``status`` directly (audited, as every change is) and read it again."""
    with audited():
        Case.objects.filter(pk=case.pk).update(status=status)
        audit_record(actor=None, action="test.status", obj=case, case_id=case.pk)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_page_api_and_panel_agree_on_possible_in_every_state(world, name):
    action, case, kwargs, tail, page_url = _prepared(world, name)
    answers = set()
    for status in CaseStatus:
        fresh = _set_status(case, status)
        for user_name in USERS + ALSO_USERS.get(name, ()):
            user = getattr(world, user_name)
            target = (
                action.target.find(fresh, kwargs[action.target.param]) if action.target else None
            )
            refusal = action.refusal(user, fresh, target)
            expected = 200 if refusal is None else refusal.status
            page = _page(verified_client(user), action, page_url)
            api = _api(
                JsonApi(user),
                OPERATIONS[name].method,
                case_url(case, tail),
                BODIES[name](fresh),
                has_capability(user, action.capability),
                action.multipart,
            )
            assert page == api == expected, (status, user_name, page, api, expected)
            if name in PANEL_ACTIONS:
                panel = JsonApi(user).get(case_url(case, "/process"))
                if panel.status_code == 200:
                    assert panel.json()["actions"][name] == (refusal is None), (status, user_name)
            answers.add(refusal is None)
    assert True in answers, f"{name} is never possible: the test checks nothing"


def _api_answer(
    client: JsonApi, method: str, url: str, body: dict[str, Any], multipart: bool
) -> Any:
    """The operation's answer to ``body`` (a multipart action: form fields and a PDF)."""
    if multipart:
        form = {**body, "file": SimpleUploadedFile("d.pdf", PDF)}
        return client.client.post(url, form, headers=client.headers)
    return client.client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=client.headers
    )


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_break_glass_reader_is_refused_every_action(world, name):
    """Break-the-glass access is to read, not to act on: every declared action is refused
    (403, the role the reason) in every status, and in every status where the case's own
    staff may take it the page (its form and a POST) and the API operation answer 403 and
    nothing is changed (no audit record: every write is audited)."""
    action, case, kwargs, tail, page_url = _prepared(world, name)
    readers = [getattr(world, reader) for reader in GLASS_READERS]
    for reader in readers:
        break_glass_open(
            actor=reader, reference=case.reference, reason="A threat reported at night"
        )
    clients = {r.pk: (verified_client(r), JsonApi(r)) for r in readers}
    tried = False
    for status in CaseStatus:
        fresh = _set_status(case, status)
        target = action.target.find(fresh, kwargs[action.target.param]) if action.target else None
        staff = [getattr(world, u) for u in USERS + ALSO_USERS.get(name, ())]
        staff_may = any(action.refusal(user, fresh, target) is None for user in staff)
        for reader in readers:
            refusal = action.refusal(reader, fresh, target)
            assert refusal is not None and refusal.status == 403, (status, reader.email)
            if not staff_may:
                continue
            tried = True
            page, api = clients[reader.pk]
            trail = AuditEvent.objects.count()
            if "GET" in action.methods:
                assert page.get(page_url).status_code == 403, (status, reader.email)
            answer = page.post(page_url, BODIES[name](fresh))
            assert answer.status_code == 403, (status, reader.email)
            op = OPERATIONS[name]
            answer = _api_answer(
                api, op.method, case_url(case, tail), BODIES[name](fresh), action.multipart
            )
            assert answer.status_code == 403, (status, reader.email, answer.content)
            assert answer.json()["detail"].startswith(str(NOT_YOURS))
            assert AuditEvent.objects.count() == trail, (status, reader.email)
            assert Case.objects.get(pk=case.pk).version == fresh.version
    assert tried, f"{name} is never possible for the case's staff: the test checks nothing"
