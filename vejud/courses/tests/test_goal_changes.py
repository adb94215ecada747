"""Plan goals are edited and removed (issue 14, rough edge 6), and the add-goal form makes
the caseworker choose the life area.

Rule: a goal is removed only while none of its actions is open (planned or in progress);
its done and dropped actions go with it, kept in the audit entry of the removal.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.api.tests.course_support import CourseApi, case_url
from vejud.audit.models import AuditEvent
from vejud.courses.forms import GoalForm
from vejud.courses.models import PlanAction, PlanGoal
from vejud.courses.services import action_update
from vejud.testing import make_admitted_case, verified_client
from vejud.testing.builders import add_action, add_goal

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, goal: PlanGoal) -> str:
    return reverse(f"courses:{name}", kwargs={"reference": goal.case.reference, "goal_id": goal.pk})


@pytest.fixture
def goal(world):
    return add_goal(world, make_admitted_case(world), "housing", "A flat")


def test_the_add_goal_form_preselects_no_life_area_and_asks_for_one(world, goal):
    form = GoalForm(prefix="goal")
    assert form["life_area"].value() in (None, "")
    assert '<option value="" selected>' in str(form["life_area"])
    add = reverse("courses:goal_add", kwargs={"reference": goal.case.reference})
    response = verified_client(world.member_a).post(add, {"goal-goal": "A job"}, **HTMX)
    assert response.status_code == 200
    assert response.context["form"].errors["life_area"] == ["Choose a life area."]
    assert PlanGoal.objects.filter(case=goal.case).count() == 1


def test_the_panel_offers_edit_and_remove_per_goal(world, goal):
    html = verified_client(world.member_a).get(goal.case.get_absolute_url()).content.decode()
    assert url("goal_update", goal) in html
    assert url("goal_remove", goal) in html
    add_action(world, goal)
    html = verified_client(world.member_a).get(goal.case.get_absolute_url()).content.decode()
    assert url("goal_update", goal) in html
    assert url("goal_remove", goal) not in html


def test_a_goal_is_edited_on_its_page_and_audited(world, goal):
    client = verified_client(world.member_a)
    form = client.get(url("goal_update", goal), **HTMX)
    assert form.status_code == 200 and "A flat" in form.content.decode()
    response = client.post(
        url("goal_update", goal),
        {f"goal-edit-{goal.pk}-life_area": "economy", f"goal-edit-{goal.pk}-goal": "No debt"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#course-plan"
    goal.refresh_from_db()
    assert (goal.life_area, goal.goal) == ("economy", "No debt")
    event = AuditEvent.objects.filter(action="plan.goal_update").get()
    assert event.changes["life_area"] == ["housing", "economy"]
    assert event.object_id == str(goal.pk) and event.case_id == goal.case_id


def test_a_goal_without_open_actions_is_removed_with_its_closed_actions(world, goal):
    done = add_action(world, goal, "Visit the housing office")
    action_update(actor=world.member_a, action=done, status="done", outcome="Visited")
    response = verified_client(world.member_a).post(
        url("goal_remove", goal), {f"goal-remove-{goal.pk}-note": "Got a flat"}, **HTMX
    )
    assert response["HX-Retarget"] == "#course-plan"
    assert not PlanGoal.objects.filter(pk=goal.pk).exists()
    assert not PlanAction.objects.filter(pk=done.pk).exists()
    event = AuditEvent.objects.filter(action="plan.goal_remove").get()
    assert event.reason == "Got a flat" and event.changes["goal"] == "A flat"
    assert [a["description"] for a in event.changes["actions"]] == ["Visit the housing office"]


def test_a_goal_with_an_open_action_is_not_removed(world, goal):
    add_action(world, goal)
    response = verified_client(world.member_a).post(url("goal_remove", goal), {})
    assert response.status_code == 409
    api = CourseApi(world.member_a).call("delete", case_url(goal.case, f"/goals/{goal.pk}"))
    assert api.status_code == 409
    assert PlanGoal.objects.filter(pk=goal.pk).exists()
    assert not AuditEvent.objects.filter(action="plan.goal_remove").exists()


def test_goals_are_edited_and_removed_through_the_api(world, goal):
    client = CourseApi(world.member_a)
    path = case_url(goal.case, f"/goals/{goal.pk}")
    changed = client.put(path, {"life_area": "crime", "goal": "No new charges"})
    assert changed.status_code == 200
    assert (changed.json()["life_area"], changed.json()["goal"]) == ("crime", "No new charges")
    assert client.put(path, {"goal": "No area"}).status_code == 422
    assert client.call("delete", path).status_code == 204
    assert not PlanGoal.objects.filter(pk=goal.pk).exists()
    assert AuditEvent.objects.filter(action="plan.goal_remove").exists()
