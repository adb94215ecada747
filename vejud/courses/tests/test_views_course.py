"""The course panel on the case page and the course pages: agreement, plan, offers, mentor,
closure and reopening."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from vejud.accounts.models import Membership, Role
from vejud.actions.declare import NOT_NOW
from vejud.audit.models import AccessLog
from vejud.cases.models import Case, CaseStatus, MentorAssignment
from vejud.cases.services import StaleCaseError, break_glass_open, mentor_assign
from vejud.courses.models import (
    CaseClosure,
    CaseOffer,
    ExitAgreement,
    MentorMeeting,
    PlanAction,
    PlanGoal,
)
from vejud.courses.services import (
    action_add,
    case_close,
    goal_add,
    meeting_log,
    offer_add,
)
from vejud.decisions.services import unit_decision_record
from vejud.offers.models import OfferType
from vejud.organisations.models import Agency
from vejud.testing import (
    make_admitted_case,
    make_assessed_case,
    make_user,
    verified_client,
)
from vejud.testing.builders import add_action, add_goal, protect_address

HTMX = {"HTTP_HX_REQUEST": "true"}
ADDRESS = "Hemmeligvej 7, 9999 Skjulby"
CPR = "0101901234"


def case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"reference": case.reference})


def url(name: str, case: Case, **kwargs: int) -> str:
    return reverse(f"courses:{name}", kwargs={"reference": case.reference, **kwargs})


def page(client, case: Case) -> str:
    response = client.get(case_url(case))
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def case(world):
    return make_admitted_case(world)


# The agreement ---------------------------------------------------------------------------


def test_case_page_shows_the_agreement_and_the_ways_to_change_the_course(world, case):
    html = page(verified_client(world.member_a), case)
    assert 'id="course-agreement"' in html
    assert url("agreement_pdf", case) in html
    assert url("agreement_edit", case) in html
    assert url("goal_add", case) in html
    assert url("offer_add", case) in html
    assert url("mentor_assign", case) in html
    assert url("close", case) in html
    assert url("reopen", case) not in html


def test_agreement_is_changed_through_its_page(world, case):
    client = verified_client(world.member_a)
    assert client.get(url("agreement_edit", case)).status_code == 200
    signed = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url("agreement_edit", case),
        {
            "agreement-parties": ["person", "police", "municipality", "kriminalforsorgen"],
            "agreement-starts_on": case.course_started_on.isoformat(),
            "agreement-expected_months": "9",
            "agreement-signed_on": signed.isoformat(),
            "agreement-terms": "Weekly meetings.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#course-agreement"
    agreement = ExitAgreement.objects.get(case=case)
    assert (agreement.expected_months, agreement.signed_on) == (9, signed)
    assert "kriminalforsorgen" in agreement.parties


def test_agreement_refused_by_the_service_is_shown_on_the_form(world, case):
    response = verified_client(world.member_a).post(
        url("agreement_edit", case),
        {
            "agreement-parties": ["police", "municipality", "kriminalforsorgen"],
            "agreement-starts_on": case.course_started_on.isoformat(),
            "agreement-expected_months": "12",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parties"]
    assert ExitAgreement.objects.get(case=case).parties == ["municipality", "person", "police"]


def test_agreement_pdf_has_the_reference_and_the_plan_but_no_cpr_or_address(world):
    case = make_admitted_case(world, cpr=CPR, birth_date=date(1990, 1, 1), last_name="Skov")
    protect_address(world, case, ADDRESS)
    goal = add_goal(world, case, "housing", "Own flat")
    add_action(world, goal, "Apply for housing", due_in=30)
    response = verified_client(world.member_a).get(url("agreement_pdf", case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert case.reference in text
    assert "Test Skov" in text
    assert "Exitaftale" in text and "Bolig" in text and "Apply for housing" in text
    assert CPR not in text.replace("-", "") and "010190" not in text
    assert "Hemmeligvej" not in text and "Skjulby" not in text
    assert AccessLog.objects.filter(
        user=world.member_a, case_id=case.pk, part="exit_agreement"
    ).exists()


def test_agreement_pdf_without_an_agreement_goes_back_to_the_case(world):
    case = make_assessed_case(world)
    unit_decision_record(actor=world.coordinator_a, case=case, outcome="admit", reasoning="Yes.")
    client = verified_client(world.member_a)
    response = client.get(url("agreement_pdf", case))
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#course-agreement"
    html = page(client, case)
    assert url("agreement_pdf", case) not in html
    assert url("agreement_edit", case) in html


# The plan ----------------------------------------------------------------------------------


def test_plan_is_built_with_htmx_goal_action_and_update(world, case):
    client = verified_client(world.member_a)
    form = client.get(url("goal_add", case), **HTMX)
    assert form.status_code == 200
    assert b"<form" in form.content and b"<html" not in form.content
    response = client.post(
        url("goal_add", case),
        {"goal-life_area": "work_education", "goal-goal": "Finish school"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#course-plan"
    assert response["HX-Reswap"] == "outerHTML"
    goal = PlanGoal.objects.get(case=case)
    assert 'id="course-plan"' in response.content.decode()
    assert url("action_add", case, goal_id=goal.pk) in response.content.decode()

    deadline = timezone.localdate() + timedelta(days=14)
    response = client.post(
        url("action_add", case, goal_id=goal.pk),
        {
            f"goal-{goal.pk}-description": "Enrol at the school",
            f"goal-{goal.pk}-owner_agency": "municipality",
            f"goal-{goal.pk}-owner": world.coordinator_a.pk,
            f"goal-{goal.pk}-deadline": deadline.isoformat(),
        },
        **HTMX,
    )
    assert response["HX-Retarget"] == "#course-plan"
    action = PlanAction.objects.get(goal=goal)
    assert (action.owner, action.deadline, action.status) == (
        world.coordinator_a,
        deadline,
        "planned",
    )
    assert "Coordinator A" in response.content.decode()

    response = client.post(
        url("action_update", case, action_id=action.pk),
        {f"action-{action.pk}-status": "done", f"action-{action.pk}-outcome": "Enrolled"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#course-plan"
    action.refresh_from_db()
    assert (action.status, action.outcome, action.deadline) == ("done", "Enrolled", deadline)


def test_invalid_htmx_form_comes_back_with_its_errors_in_place(world, case):
    response = verified_client(world.member_a).post(
        url("goal_add", case), {"goal-life_area": "housing", "goal-goal": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert response.context["form"].errors["goal"]
    assert not PlanGoal.objects.filter(case=case).exists()


def test_action_owner_refused_by_the_service_is_a_field_error(world, case):
    goal = add_goal(world, case, "housing", "Flat")
    outsider = make_user(
        "outsider@test.vejud.dk", "Out Sider", world.unit_b, Role.UNIT_MEMBER, Agency.POLICE
    )
    response = verified_client(world.member_a).post(
        url("action_add", case, goal_id=goal.pk),
        {
            f"goal-{goal.pk}-description": "x",
            f"goal-{goal.pk}-owner_agency": "police",
            f"goal-{goal.pk}-owner": outsider.pk,
            f"goal-{goal.pk}-deadline": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]  # not offered: only the case's staff


def test_overdue_action_has_a_badge_and_a_done_one_has_not(world, case):
    goal = add_goal(world, case, "economy", "Pay the debt")
    late = add_action(world, goal, "Meet the debt counsellor", due_in=-3)
    soon = add_action(world, goal, "Budget", due_in=3, owner_agency="person")
    html = page(verified_client(world.member_a), case)

    def row(action: PlanAction) -> str:
        start = html.index(f'id="action-{action.pk}"')
        return html[start : html.index("</tr>", start)]

    assert "badge-error" in row(late)
    assert "badge-error" not in row(soon)


# Offers and the wishes for help ------------------------------------------------------------


def test_wish_without_an_offer_is_shown_as_a_gap_until_an_offer_is_added(world, case):
    # make_admitted_case signs a motivation assessment wishing for work/education support.
    client = verified_client(world.member_a)
    html = page(client, case)
    assert 'id="wish-work_education" class="vejud-gap"' in html
    work = OfferType.objects.get(code="work_education")
    response = client.post(
        url("offer_add", case),
        {
            "offer-offer_type": work.pk,
            "offer-provider": "Jobcenter",
            "offer-starts_on": timezone.localdate().isoformat(),
            "offer-status": "active",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#course-offers"
    html = page(client, case)
    assert 'id="wish-work_education" class="vejud-wish-met"' in html
    assert "vejud-gap" not in html
    assert "Jobcenter" in html


def test_offer_is_updated_through_htmx(world, case):
    offer = offer_add(
        actor=world.member_a, case=case, offer_type=OfferType.objects.get(code="therapy")
    )
    client = verified_client(world.member_a)
    assert client.get(url("offer_update", case, offer_id=offer.pk), **HTMX).status_code == 200
    response = client.post(
        url("offer_update", case, offer_id=offer.pk),
        {f"offer-{offer.pk}-status": "completed", f"offer-{offer.pk}-result": "Went well"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#course-offers"
    offer.refresh_from_db()
    assert (offer.status, offer.result) == ("completed", "Went well")


def test_offer_ending_before_it_starts_is_a_form_error(world, case):
    offer = offer_add(
        actor=world.member_a,
        case=case,
        offer_type=OfferType.objects.get(code="therapy"),
        starts_on=timezone.localdate(),
    )
    response = verified_client(world.member_a).post(
        url("offer_update", case, offer_id=offer.pk),
        {
            f"offer-{offer.pk}-status": "active",
            f"offer-{offer.pk}-ends_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]


# Mentor ------------------------------------------------------------------------------------


def test_mentor_is_chosen_among_the_units_mentors_and_changes_are_kept(world, case):
    client = verified_client(world.member_a)
    form = client.get(url("mentor_assign", case)).context["form"]
    choices = set(form.fields["mentor"].queryset)
    assert world.mentor in choices
    assert world.member_a not in choices
    outside = make_user("m2@test.vejud.dk", "Mentor B", world.unit_b, Role.MENTOR)
    assert outside not in choices
    second = make_user("m3@test.vejud.dk", "Mentor Two", world.unit_a, Role.MENTOR)
    start = timezone.localdate() - timedelta(days=10)
    response = client.post(
        url("mentor_assign", case),
        {"mentor-mentor": world.mentor.pk, "mentor-starts_on": start.isoformat()},
    )
    assert response.status_code == 302
    response = client.post(url("mentor_assign", case), {"mentor-mentor": second.pk}, **HTMX)
    assert response["HX-Retarget"] == "#course-mentor"
    first, current = MentorAssignment.objects.filter(case=case).order_by("starts_on")
    assert (first.mentor, first.ends_on) == (world.mentor, timezone.localdate())
    assert (current.mentor, current.ends_on) == (second, None)
    html = page(client, case)
    assert "Mentor Two" in html
    assert url("mentor_view", case) in html


def test_user_who_is_not_a_mentor_cannot_be_assigned(world, case):
    response = verified_client(world.member_a).post(
        url("mentor_assign", case), {"mentor-mentor": world.member_b.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mentor"]
    assert not MentorAssignment.objects.filter(case=case).exists()


def test_flagged_meeting_is_shown_and_resolved(world, case):
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    flagged = meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="phone",
        duration_minutes=20,
        note="He was threatened again.",
        needs_attention=True,
    )
    client = verified_client(world.coordinator_a)
    html = page(client, case)
    assert f'id="meeting-{flagged.pk}"' in html
    assert url("meeting_resolve", case, meeting_id=flagged.pk) in html
    response = client.post(
        url("meeting_resolve", case, meeting_id=flagged.pk),
        {f"meeting-{flagged.pk}-note": "Called him."},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#course-mentor"
    flagged.refresh_from_db()
    assert flagged.attention_resolved_by == world.coordinator_a
    assert f'id="meeting-{flagged.pk}"' not in page(client, case)
    again = client.post(url("meeting_resolve", case, meeting_id=flagged.pk), {})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()


# Closure and reopening ---------------------------------------------------------------------


def test_course_is_closed_and_reopened_through_the_pages(world, case):
    client = verified_client(world.member_a)
    assert client.get(url("close", case)).status_code == 200
    response = client.post(
        url("close", case),
        {"version": case.version, "reason": "completed", "summary": "Left the group, has a job."},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#course-closure"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert CaseClosure.objects.get(case=case).reason == "completed"

    html = page(client, case)
    assert "Left the group, has a job." in html
    assert url("close", case) not in html
    assert url("goal_add", case) not in html
    assert url("reopen", case) in html

    assert client.get(url("reopen", case)).status_code == 200
    response = client.post(url("reopen", case), {"note": "He asked again."})
    new = Case.objects.exclude(pk=case.pk).get(person=case.person)
    assert response.status_code == 302
    assert response["Location"] == case_url(new)
    assert new.previous_case == case
    assert new.status == CaseStatus.INQUIRY
    assert url("reopen", case) not in page(client, case)  # the person has an open case now


def test_closing_a_case_changed_since_the_page_was_loaded_says_reload(world, case):
    response = verified_client(world.member_a).post(
        url("close", case),
        {"version": case.version + 1, "reason": "completed", "summary": "Done."},
    )
    assert response.status_code == 302
    assert str(StaleCaseError()) in messages_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.ADMITTED
    assert not CaseClosure.objects.filter(case=case).exists()


def test_course_pages_on_a_closed_course_say_it_is_not_possible_now(world, case):
    case_close(actor=world.member_a, case=case, reason="moved_abroad", summary="Moved.")
    client = verified_client(world.member_a)
    for name in ("agreement_edit", "goal_add", "offer_add", "mentor_assign", "close"):
        response = client.get(url(name, case))
        assert response.status_code == 409, name
        assert str(NOT_NOW) in response.content.decode()
    response = client.get(url("goal_add", case), **HTMX)
    assert response.status_code == 409
    assert response["HX-Redirect"].startswith(case_url(case))
    # The record stays readable.
    assert client.get(url("agreement_pdf", case)).status_code == 200


# The mentor on the case page ---------------------------------------------------------------


def test_mentor_gets_a_link_to_the_mentor_view_and_no_course_panel(world, case):
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    add_goal(world, case, "housing", "Own flat")
    html = page(verified_client(world.mentor), case)
    assert url("mentor_view", case) in html
    assert 'id="course-plan"' not in html
    assert url("agreement_pdf", case) not in html
    assert url("goal_add", case) not in html


# Who may use the routes --------------------------------------------------------------------


def _objects(world, case):
    """Create one of each object so every route has real arguments."""
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    goal = add_goal(world, case, "housing", "Flat")
    action = add_action(world, goal, "Apply")
    offer = offer_add(
        actor=world.member_a, case=case, offer_type=OfferType.objects.get(code="therapy")
    )
    meeting = meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="phone",
        duration_minutes=10,
        needs_attention=True,
    )
    return {
        "agreement_edit": {},
        "agreement_pdf": {},
        "goal_add": {},
        "action_add": {"goal_id": goal.pk},
        "action_update": {"action_id": action.pk},
        "offer_add": {},
        "offer_update": {"offer_id": offer.pk},
        "mentor_assign": {},
        "meeting_resolve": {"meeting_id": meeting.pk},
        "close": {},
        "reopen": {},
    }


CASEWORK_ROUTES = [
    "agreement_edit",
    "agreement_pdf",
    "goal_add",
    "action_add",
    "action_update",
    "offer_add",
    "offer_update",
    "mentor_assign",
    "meeting_resolve",
    "close",
    "reopen",
]


@pytest.mark.parametrize("name", CASEWORK_ROUTES)
def test_casework_route_other_unit_404_analyst_403_mentor_404(world, case, name):
    kwargs = _objects(world, case)[name]
    target = url(name, case, **kwargs)
    assert verified_client(world.member_b).get(target).status_code == 404
    assert verified_client(world.member_b).post(target, {}).status_code == 404
    assert verified_client(world.analyst).get(target).status_code == 403
    assert verified_client(world.mentor).get(target).status_code == 404
    assert verified_client(world.mentor).post(target, {}).status_code == 404
    # Past the gate: the form, or 409 where the action is not possible in the case's state.
    assert verified_client(world.member_a).get(target).status_code in (200, 302, 409)


@pytest.mark.parametrize("name", ["action_update", "offer_update", "meeting_resolve", "action_add"])
def test_object_of_another_case_is_404(world, case, name):
    other = make_admitted_case(world, first_name="Other")
    kwargs = _objects(world, other)[name]
    assert verified_client(world.member_a).get(url(name, case, **kwargs)).status_code == 404


def test_wrong_method_is_405(world, case):
    client = verified_client(world.member_a)
    assert client.post(url("agreement_pdf", case)).status_code == 405
    assert client.delete(url("goal_add", case)).status_code == 405


def test_anonymous_is_sent_to_login(world, case):
    from django.test import Client

    response = Client().get(url("goal_add", case))
    assert response.status_code == 302
    assert "next=" in response["Location"]


# Query count -------------------------------------------------------------------------------


def _fill(world, case, n: int) -> None:
    """Give the case ``n`` actions (over n/3 goals), ``n`` offers and ``n`` meetings."""
    mentor_assign(
        actor=world.member_a,
        case=case,
        mentor=world.mentor,
        starts_on=timezone.localdate() - timedelta(days=400),
    )
    offer_types = list(OfferType.objects.all())
    goal = None
    for i in range(n):
        if i % 3 == 0:
            goal = goal_add(
                actor=world.member_a,
                case=case,
                life_area=["housing", "economy", "crime", "safety"][i % 4],
                goal=f"Goal {i}",
            )
        assert goal is not None
        action_add(
            actor=world.member_a,
            goal=goal,
            description=f"Action {i}",
            owner_agency="municipality",
            owner=world.coordinator_a if i % 2 else None,
            deadline=timezone.localdate() + timedelta(days=i - n // 2),
        )
        offer_add(actor=world.member_a, case=case, offer_type=offer_types[i % len(offer_types)])
        meeting_log(
            actor=world.mentor,
            case=case,
            met_on=timezone.localdate() - timedelta(days=i % 300),
            form="in_person",
            duration_minutes=30,
            note=f"Meeting {i}",
            needs_attention=i % 2 == 0,
        )


def test_page_query_counts_do_not_grow_with_the_course(world):
    few = make_admitted_case(world, first_name="Few")
    many = make_admitted_case(world, first_name="Many")
    _fill(world, few, 3)
    _fill(world, many, 300)
    assert PlanAction.objects.filter(case=many).count() == 300
    assert CaseOffer.objects.filter(case=many).count() == 300
    assert MentorMeeting.objects.filter(case=many).count() == 300
    for user, name in (
        (world.coordinator_a, "cases:detail"),
        (world.mentor, "courses:mentor_view"),
    ):
        client = verified_client(user)
        client.get(reverse(name, args=[few.reference]))
        with CaptureQueriesContext(connection) as small:
            assert client.get(reverse(name, args=[few.reference])).status_code == 200
        with CaptureQueriesContext(connection) as large:
            response = client.get(reverse(name, args=[many.reference]))
        html = response.content.decode()
        assert html.count('id="action-') == 300
        assert html.count('id="offer-') == 300
        # The case page lists the flagged meetings awaiting the unit; the mentor view all own.
        assert html.count('id="meeting-') == (150 if name == "cases:detail" else 300)
        assert len(large.captured_queries) == len(small.captured_queries), name


def test_only_active_mentor_memberships_are_offered(world, case):
    ended = make_user("old@test.vejud.dk", "Old Mentor", world.unit_a, Role.MENTOR)
    Membership.objects.filter(user=ended).update(valid_to=date(2021, 1, 1))
    form = verified_client(world.member_a).get(url("mentor_assign", case)).context["form"]
    assert ended not in set(form.fields["mentor"].queryset)


def test_user_who_may_see_but_not_change_the_course_gets_no_actions_and_403(world, case):
    # The auditor holds break-the-glass but no casework role: the panel is read-only.
    break_glass_open(actor=world.auditor, reference=case.reference, reason="Audit of the course.")
    client = verified_client(world.auditor)
    html = page(client, case)
    assert 'id="course-plan"' in html
    assert url("goal_add", case) not in html
    assert url("close", case) not in html
    assert client.get(url("goal_add", case)).status_code == 403
    assert client.post(url("close", case), {}).status_code == 403
    assert client.get(url("agreement_pdf", case)).status_code == 200
