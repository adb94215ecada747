"""The review pages cost the same, exact number of queries however many rows they show: the
rounds with their counts (one aggregate query), and a round's reviews with their cases and
units (one query). An N+1 (a count, a case or a unit read row by row) shows as a difference
between 2 and 6 rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.quality.models import ReviewStatus
from vejud.quality.services import review_answer
from vejud.testing import make_case, verified_client
from vejud.testing.quality import make_round, send_review

pytestmark = pytest.mark.django_db

# The session, the user, the persons whose lists bar the user (once a request), then:
ROUNDS_PAGE = 4  # the rounds with both counts of the reviews the user sees, in one query
ROUND_PAGE = 5  # the round; its reviews the user sees, with their cases and units
MINE_PAGE = 4  # the unit's reviews the user sees, with their cases, units and rounds


@pytest.fixture
def cases(world):
    """Three cases in each of units A and B."""
    return [
        make_case(member, unit)
        for member, unit in ((world.member_a, world.unit_a), (world.member_b, world.unit_b))
        for _ in range(3)
    ]


def _warm(client, url):
    """A first request fills the session's and the per-worker caches (not counted)."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("rounds", [2, 6])
def test_the_rounds_page_costs_the_same_with_2_or_6_rounds(
    world, cases, django_assert_num_queries, rounds
):
    for n in range(rounds):
        round_ = make_round(
            world.head, [world.unit_a, world.unit_b], title=f"R{n}", per_unit=n % 3 + 1, seed=n
        )
        for review in round_.reviews.filter(unit=world.unit_a)[: n % 2 + 1]:
            send_review(world.head, review)
            review_answer(actor=world.member_a, review=review, answer="Noted.")
    client = verified_client(world.head)
    url = reverse("quality:rounds")
    _warm(client, url)
    with django_assert_num_queries(ROUNDS_PAGE):
        response = client.get(url)
    shown = [(r.title, r.n, r.answered) for r in response.context["rounds"]]
    assert shown == [
        (f"R{n}", 2 * (n % 3 + 1), min(n % 2 + 1, n % 3 + 1)) for n in reversed(range(rounds))
    ]
    assert all(f">{title}</a>" in response.content.decode() for title, _n, _a in shown)


@pytest.mark.parametrize("per_unit", [1, 3])
def test_the_round_page_costs_the_same_with_2_or_6_reviews(
    world, cases, django_assert_num_queries, per_unit
):
    round_ = make_round(world.head, [world.unit_a, world.unit_b], per_unit=per_unit)
    send_review(world.head, round_.reviews.filter(unit=world.unit_b).first())
    client = verified_client(world.head)
    url = reverse("quality:round", kwargs={"round_id": round_.pk})
    _warm(client, url)
    with django_assert_num_queries(ROUND_PAGE):
        response = client.get(url)
    reviews = list(response.context["reviews"])
    assert len(reviews) == 2 * per_unit
    body = response.content.decode()
    for review in reviews:
        assert review.case.reference in body and review.get_status_display() in body
    assert body.count(world.unit_a.name) == body.count(world.unit_b.name) == per_unit


@pytest.mark.parametrize("sent", [2, 6])
def test_the_units_reviews_cost_the_same_with_2_or_6_reviews(
    world, django_assert_num_queries, sent
):
    for _ in range(sent):
        make_case(world.member_a, world.unit_a)
    round_ = make_round(world.head, [world.unit_a])
    for review in round_.reviews.all():
        send_review(world.head, review)
    client = verified_client(world.member_a)
    url = reverse("quality:mine")
    _warm(client, url)
    with django_assert_num_queries(MINE_PAGE):
        response = client.get(url)
    reviews = list(response.context["reviews"])
    assert len(reviews) == sent
    assert {r.status for r in reviews} == {ReviewStatus.RELEASED}
    body = response.content.decode()
    assert all(r.case.reference in body for r in reviews)
