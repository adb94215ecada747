"""The mentor view: the mentee's name, the plan, the offers and the mentor's own meeting log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from vejud.accounts.models import Role
from vejud.audit.models import AccessLog
from vejud.cases.models import CaseStatus
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.courses.models import MentorMeeting
from vejud.courses.services import case_close, meeting_log, offer_add
from vejud.offers.models import OfferType
from vejud.testing import make_admitted_case, make_user, verified_client
from vejud.testing.builders import CPR, add_action, add_goal, make_sensitive_case

HTMX = {"HTTP_HX_REQUEST": "true"}
ADDRESS = "Hemmeligvej 7, 9999 Skjulby"


def mentor_url(case) -> str:
    return reverse("courses:mentor_view", kwargs={"reference": case.reference})


@pytest.fixture
def case(world):
    """An admitted case with CPR, threats, a protected address, a journal, a plan and an offer,
    with the standard mentor assigned since last week."""
    case = make_sensitive_case(
        world,
        stage=CaseStatus.ADMITTED,
        first_name="Zelda",
        last_name="Quixwort",
        threat_notes="Threatened by the Vest group.",
        address=ADDRESS,
        journal="Secret journal note.",
    )
    goal = add_goal(world, case, "leisure", "Join a club")
    add_action(world, goal, "Visit the boxing club", due_in=7, owner_agency="mentor")
    offer_add(
        actor=world.member_a,
        case=case,
        offer_type=OfferType.objects.get(code="tattoo_removal"),
        provider="Clinic North",
    )
    mentor_assign(
        actor=world.member_a,
        case=case,
        mentor=world.mentor,
        starts_on=timezone.localdate() - timedelta(days=7),
    )
    return case


def test_mentor_sees_name_plan_offers_and_own_meetings_and_nothing_else(world, case):
    meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="in_person",
        duration_minutes=45,
        note="Talked about the club.",
    )
    response = verified_client(world.mentor).get(mentor_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Zelda Quixwort", "Join a club", "Visit the boxing club", "Clinic North"):
        assert shown in html
    assert "Talked about the club." in html
    for hidden in (CPR, "010190", "Hemmeligvej", "Skjulby", "Vest group", "Secret journal note"):
        assert hidden not in html
    assert 'id="wish-' not in html  # the wishes come from an assessment: not the mentor's
    assert reverse("courses:goal_add", args=[case.reference]) not in html
    assert AccessLog.objects.filter(user=world.mentor, case_id=case.pk, part="mentor_view").exists()


def test_mentor_sees_only_their_own_meetings(world, case):
    earlier = make_user("earlier@test.vejud.dk", "Earlier Mentor", world.unit_a, Role.MENTOR)
    mentor_assign(
        actor=world.member_a,
        case=case,
        mentor=earlier,
        starts_on=timezone.localdate() - timedelta(days=3),
    )
    meeting_log(
        actor=earlier,
        case=case,
        met_on=timezone.localdate() - timedelta(days=2),
        form="phone",
        duration_minutes=15,
        note="Note by the earlier mentor.",
    )
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="video",
        duration_minutes=30,
        note="My own note.",
    )
    html = verified_client(world.mentor).get(mentor_url(case)).content.decode()
    assert "My own note." in html
    assert "Note by the earlier mentor." not in html


def test_mentor_logs_a_meeting_through_the_page(world, case):
    client = verified_client(world.mentor)
    response = client.post(
        mentor_url(case),
        {
            "meeting-met_on": timezone.localdate().isoformat(),
            "meeting-form": "in_person",
            "meeting-duration_minutes": "60",
            "meeting-note": "He is worried about money.",
            "meeting-needs_attention": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == mentor_url(case)
    meeting = MentorMeeting.objects.get(case=case)
    assert (meeting.created_by, meeting.needs_attention, meeting.duration_minutes) == (
        world.mentor,
        True,
        60,
    )
    # The unit sees the flag on the case page.
    html = verified_client(world.coordinator_a).get(case.get_absolute_url()).content.decode()
    assert f'id="meeting-{meeting.pk}"' in html


def test_meeting_logged_with_htmx_returns_the_log(world, case):
    response = verified_client(world.mentor).post(
        mentor_url(case),
        {
            "meeting-met_on": timezone.localdate().isoformat(),
            "meeting-form": "phone",
            "meeting-duration_minutes": "10",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="mentor-meetings">')
    meeting = MentorMeeting.objects.get(case=case)
    assert f'id="meeting-{meeting.pk}"' in html


def test_meeting_before_the_mentor_period_is_a_form_error(world, case):
    response = verified_client(world.mentor).post(
        mentor_url(case),
        {
            "meeting-met_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "meeting-form": "phone",
            "meeting-duration_minutes": "10",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["met_on"]
    assert not MentorMeeting.objects.exists()


def test_staff_see_every_meeting_read_only(world, case):
    meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="phone",
        duration_minutes=10,
        note="Note by the mentor.",
    )
    client = verified_client(world.member_a)
    response = client.get(mentor_url(case))
    assert response.status_code == 200
    assert "Note by the mentor." in response.content.decode()
    assert response.context["can_log"] is False
    assert 'name="meeting-met_on"' not in response.content.decode()
    posted = client.post(
        mentor_url(case),
        {
            "meeting-met_on": timezone.localdate().isoformat(),
            "meeting-form": "phone",
            "meeting-duration_minutes": "10",
        },
    )
    assert posted.status_code == 403
    assert MentorMeeting.objects.count() == 1


def test_a_closed_course_takes_only_the_final_note_within_the_grace_period(world, case):
    """Issue 11, hole 8: the mentor may write the final meeting note for
    VEJUD_MENTOR_GRACE_DAYS after the close (then the case is 404, see vejud.access.tests)."""
    case_close(actor=world.member_a, case=case, reason="completed", summary="Done.")
    client = verified_client(world.mentor)
    response = client.get(mentor_url(case))
    assert response.status_code == 200
    assert response.context["can_log"] is True
    with override_settings(VEJUD_MENTOR_GRACE_DAYS=-1):
        assert client.get(mentor_url(case)).status_code == 404


def test_other_mentor_and_other_unit_get_404_analyst_403(world, case):
    other = make_user("other@test.vejud.dk", "Other Mentor", world.unit_a, Role.MENTOR)
    assert verified_client(other).get(mentor_url(case)).status_code == 404
    assert verified_client(other).post(mentor_url(case), {}).status_code == 404
    assert verified_client(world.member_b).get(mentor_url(case)).status_code == 404
    assert verified_client(world.analyst).get(mentor_url(case)).status_code == 403
    assert verified_client(world.auditor).get(mentor_url(case)).status_code == 404


def test_mentor_of_another_case_gets_404(world, case):
    own = make_admitted_case(world, first_name="Own")
    other = make_user("m2@test.vejud.dk", "Second Mentor", world.unit_a, Role.MENTOR)
    mentor_assign(actor=world.member_a, case=own, mentor=other)
    client = verified_client(other)
    assert client.get(mentor_url(own)).status_code == 200
    assert client.get(mentor_url(case)).status_code == 404


def test_mentor_gets_404_on_the_journal_and_the_course_pages(world, case):
    client = verified_client(world.mentor)
    reference = case.reference
    assert (
        client.post(reverse("cases:journal_add", args=[reference]), {"text": "x"}).status_code
        == 404
    )
    assert client.get(reverse("courses:agreement_pdf", args=[reference])).status_code == 404
    assert client.get(reverse("courses:goal_add", args=[reference])).status_code == 404


def test_mentor_whose_period_ended_gets_404(world, case):
    mentor_assign(
        actor=world.member_a,
        case=case,
        mentor=make_user("new@test.vejud.dk", "New Mentor", world.unit_a, Role.MENTOR),
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    assert verified_client(world.mentor).get(mentor_url(case)).status_code == 404


def test_break_glass_view_is_logged_as_such(world, case):
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Night shift: urgent threat."
    )
    response = verified_client(world.member_b).get(mentor_url(case))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=world.member_b, case_id=case.pk, part="mentor_view", break_glass=True
    ).exists()
