"""Who sees case reviews (``vejud.access.quality``): the person's exclusion and restriction
lists bar a review, its learning points, its place in a round's counts, its draw and every
write to it, as they bar the case."""

from __future__ import annotations

import pytest
from django.http import Http404

from vejud.access.cases import AccessRuleDenied
from vejud.access.quality import (
    cases_drawable,
    check_review,
    learning_points_visible,
    reviews_visible,
    rounds_visible,
)
from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.quality.models import ReviewStatus
from vejud.quality.services import learning_point_add, review_answer
from vejud.testing import make_case
from vejud.testing.quality import make_round, send_review

pytestmark = pytest.mark.django_db


def _bar(world, case, kind, user) -> None:
    person_access_rule_add(actor=world.coordinator_a, person=case.person, kind=kind, user=user)


@pytest.fixture
def reviews(world):
    """Two sent reviews of unit A's cases, each with a learning point: ``barred``'s person
    excludes member A and restricts to unit A's coordinator, member A and the head."""
    barred = make_case(world.coordinator_a, world.unit_a, first_name="Zelda")
    ordinary = make_case(world.coordinator_a, world.unit_a, first_name="Otto")
    for user in (world.coordinator_a, world.member_a, world.head):
        _bar(world, barred, AccessRuleKind.RESTRICTION, user)
    _bar(world, barred, AccessRuleKind.EXCLUSION, world.member_a)
    round_ = make_round(world.head, [world.unit_a], per_unit=5)
    return [
        send_review(world.head, round_.reviews.get(case=case), point=("plan", case.reference))
        for case in (barred, ordinary)
    ]


def test_reviews_and_points_leave_out_the_barred(world, reviews):
    barred, ordinary = reviews
    for user, seen in (
        (world.head, {barred.pk, ordinary.pk}),
        (world.coordinator_a, {barred.pk, ordinary.pk}),
        (world.member_a, {ordinary.pk}),  # excluded
        (world.adviser, {ordinary.pk}),  # left off the restriction list
        (world.decision_maker, {ordinary.pk}),
        (world.member_b, set()),
    ):
        assert set(reviews_visible(user).values_list("pk", flat=True)) == seen, user
        points = set(learning_points_visible(user).values_list("review_id", flat=True))
        assert points == seen, user


def test_a_rounds_counts_are_of_the_reviews_the_user_sees(world, reviews):
    barred, _ordinary = reviews
    review_answer(actor=world.coordinator_a, review=barred, answer="Done.")
    assert [(r.n, r.answered) for r in rounds_visible(world.head)] == [(2, 1)]
    assert [(r.n, r.answered) for r in rounds_visible(world.adviser)] == [(1, 0)]
    assert list(rounds_visible(world.coordinator_a)) == []


def test_the_writes_refuse_a_barred_user_as_missing(world, reviews):
    barred, _ordinary = reviews
    with pytest.raises(AccessRuleDenied):
        check_review(world.member_a, barred)
    check_review(world.coordinator_a, barred)
    with pytest.raises(Http404):
        review_answer(actor=world.member_a, review=barred, answer="Not mine to answer.")
    with pytest.raises(Http404):
        learning_point_add(actor=world.adviser, review=barred, theme="plan", text="Barred.")
    barred.refresh_from_db()
    assert (barred.status, barred.answer) == (ReviewStatus.RELEASED, "")
    assert barred.learning_points.count() == 1


def test_the_draw_takes_only_cases_the_reviewer_sees(world, reviews):
    barred, ordinary = reviews
    assert set(cases_drawable(world.head)) == {barred.case, ordinary.case}
    assert set(cases_drawable(world.adviser)) == {ordinary.case}
    assert list(cases_drawable(world.coordinator_a)) == []
