"""Training that matters for access (VEJUD_TRAINING_FOR_ACCESS, off by default): a capability
is withheld from a user without a valid completion of the named course, they are told which,
and the coordinator sees it in the unit's coverage."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from vejud.access.rules import Capability, has_capability, require, scope_data, scope_for
from vejud.access.training import coverage_reach
from vejud.testing import verified_client
from vejud.testing.training import make_course
from vejud.training.selectors import coverage, requirements_of
from vejud.training.services import completion_record

pytestmark = pytest.mark.django_db


def _fresh(user):
    user.__dict__.pop("_vejud_scope", None)
    return user


def test_off_by_default(world, settings):
    assert settings.VEJUD_TRAINING_FOR_ACCESS == {}
    assert scope_for(world.coordinator_a).untrained == ()


def test_a_capability_needs_the_course_and_the_user_is_told_why(world, settings):
    course = make_course(world, code="safety", title="Protected addresses and safety")
    settings.VEJUD_TRAINING_FOR_ACCESS = {"link_inquiries": "safety"}
    coordinator = _fresh(world.coordinator_a)
    assert not has_capability(coordinator, Capability.LINK_INQUIRIES)
    assert has_capability(coordinator, Capability.VIEW_CASES)  # only the named capability
    assert scope_data(coordinator)["untrained"] == [["link_inquiries", course.title]]
    assert verified_client(coordinator).get(reverse("intake:possible_persons")).status_code == 403
    with pytest.raises(PermissionDenied, match="Protected addresses and safety"):
        require(coordinator, Capability.LINK_INQUIRIES)
    # Coverage names the coordinator as missing the course, and so does "my training".
    unit = next(c for c in coverage(coverage_reach(world.coordinator_b)) if c.course == course)
    assert {p.full_name for p, state, _u in unit.attention if state == "missing"} == {
        "Coordinator B"
    }
    assert [r.state for r in requirements_of(coordinator)] == ["missing"]
    completion_record(
        actor=world.adviser, user=coordinator, course=course, completed_on=date.today()
    )
    assert has_capability(_fresh(coordinator), Capability.LINK_INQUIRIES)
    assert verified_client(coordinator).get(reverse("intake:possible_persons")).status_code == 200


def test_an_expired_completion_withholds_it_again(world, settings):
    course = make_course(world, code="safety", validity_months=12)
    settings.VEJUD_TRAINING_FOR_ACCESS = {"link_inquiries": "safety"}
    completion_record(
        actor=world.adviser, user=world.head, course=course, completed_on=date(2020, 1, 1)
    )
    assert not has_capability(_fresh(world.head), Capability.LINK_INQUIRIES)
